import Foundation
import Yams

/// The subset of an Open Job Description job template (specification `jobtemplate-2023-09`) that
/// plateswap writes. Property order is the order the YAML is written in; nil fields are left out.
public struct OpenJDTemplate: Codable, Equatable {
    public var specificationVersion = "jobtemplate-2023-09"
    public var extensions: [String]?
    public var name: String
    public var description: String?
    public var parameterDefinitions: [JobParameter]
    public var jobEnvironments: [Environment]?
    public var steps: [Step]

    /// Environment variables set for every task of the job.
    public struct Environment: Codable, Equatable {
        public var name: String
        public var variables: [String: String]
    }

    public struct JobParameter: Codable, Equatable {
        public var name: String
        /// PATH, STRING or INT.
        public var type: String
        public var objectType: String?
        public var dataFlow: String?
        public var description: String?
        public var minValue: Int?
        public var maxValue: Int?
        public var `default`: Value?
    }

    /// A parameter default or range item: OpenJD takes strings and integers.
    public enum Value: Codable, Equatable {
        case string(String)
        case int(Int)

        public init(from decoder: Decoder) throws {
            // A scalar is an integer only when its text is one (YAML 1.1 readers also take "1:20").
            let container = try decoder.singleValueContainer()
            let text = try container.decode(String.self)
            if let int = Int(text) { self = .int(int) } else { self = .string(text) }
        }

        public func encode(to encoder: Encoder) throws {
            var container = encoder.singleValueContainer()
            switch self {
            case let .string(text): try container.encode(text)
            case let .int(number): try container.encode(number)
            }
        }
    }

    public struct Step: Codable, Equatable {
        public var name: String
        public var description: String?
        public var dependencies: [Dependency]?
        public var parameterSpace: ParameterSpace?
        public var hostRequirements: HostRequirements?
        public var script: Script
    }

    /// What a worker must have to run a step's tasks: amounts (`amount.worker.vcpu`, `amount.worker.memory`
    /// in MiB) and attributes (`attr.worker.os.family`, `attr.worker.cpu.arch`).
    public struct HostRequirements: Codable, Equatable {
        public var amounts: [Amount]?
        public var attributes: [Attribute]?
    }

    public struct Amount: Codable, Equatable {
        public var name: String
        public var min: Int?
    }

    public struct Attribute: Codable, Equatable {
        public var name: String
        public var anyOf: [String]?
    }

    public struct Dependency: Codable, Equatable {
        public var dependsOn: String
    }

    public struct ParameterSpace: Codable, Equatable {
        public var taskParameterDefinitions: [TaskParameter]
    }

    public struct TaskParameter: Codable, Equatable {
        public var name: String
        /// STRING (a list of frame lists) or CHUNK[INT] (a range the farm splits).
        public var type: String
        /// A list for STRING, a range expression (or a reference to one) for CHUNK[INT].
        public var range: Range
        public var chunks: Chunks?

        public enum Range: Codable, Equatable {
            case list([String])
            case expression(String)

            public init(from decoder: Decoder) throws {
                let container = try decoder.singleValueContainer()
                if let list = try? container.decode([String].self) { self = .list(list) } else { self = .expression(try container.decode(String.self)) }
            }

            public func encode(to encoder: Encoder) throws {
                var container = encoder.singleValueContainer()
                switch self {
                case let .list(items): try container.encode(items)
                case let .expression(text): try container.encode(text)
                }
            }
        }
    }

    /// TASK_CHUNKING extension: how a CHUNK[INT] range is cut into tasks.
    public struct Chunks: Codable, Equatable {
        /// Frames per task, or a reference to a job parameter holding it.
        public var defaultTaskCount: String
        /// CONTIGUOUS (consecutive integers only) or NONCONTIGUOUS (any frame list).
        public var rangeConstraint: String
    }

    public struct Script: Codable, Equatable {
        public var actions: Actions
    }

    public struct Actions: Codable, Equatable {
        public var onRun: Action
    }

    public struct Action: Codable, Equatable {
        public var command: String
        public var args: [String]?
    }

    public func yaml() throws -> String { try YAMLEncoder().encode(self) }

    public static func parse(yaml: String) throws -> OpenJDTemplate { try YAMLDecoder().decode(OpenJDTemplate.self, from: yaml) }
}
