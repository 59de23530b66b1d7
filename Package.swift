// swift-tools-version:6.0
import PackageDescription

// Numeric targets need AVX2/FMA code generation: without it SIMD multiply-adds become
// library calls (see ../shared/TOOLCHAIN.md, section 2).
let fastMath: [SwiftSetting] = [
    .unsafeFlags(["-Ounchecked", "-target-cpu", "haswell"], .when(configuration: .release)),
]

// OpenEXR 3.1 (libopenexr-dev) for the C++ shims that use it.
let openEXRCxx: [CXXSetting] = [.unsafeFlags(["-I/usr/include/OpenEXR", "-I/usr/include/Imath", "-O2"])]
let openEXRLibraries: [LinkerSetting] = ["OpenEXR-3_1", "OpenEXRCore-3_1", "Iex-3_1", "IlmThread-3_1", "Imath-3_1"].map {
    .linkedLibrary($0)
}

let package = Package(
    name: "plateswap",
    platforms: [.macOS(.v13)],
    products: [
        .executable(name: "plateswap", targets: ["plateswap"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
        .package(url: "https://github.com/jpsim/Yams", from: "5.0.1"),
        .package(url: "https://github.com/apple/swift-crypto", from: "3.12.3"),
    ],
    targets: [
        // C bridges
        .systemLibrary(name: "CFFmpeg", path: "Sources/CFFmpeg", pkgConfig: "libavformat"),
        .systemLibrary(name: "COpenBLAS", path: "Sources/COpenBLAS", pkgConfig: "openblas"),
        .target(
            name: "FFShim", dependencies: ["CFFmpeg"], path: "Sources/FFShim",
            linkerSettings: [.linkedLibrary("avformat"), .linkedLibrary("avcodec"), .linkedLibrary("avutil"),
                             .linkedLibrary("swscale")]),
        // Header only: the exception guard every C++ shim's C entry points share.
        .target(name: "ShimSupport", path: "Sources/ShimSupport"),
        .target(
            name: "ExrShim", dependencies: ["ShimSupport"], path: "Sources/ExrShim",
            cxxSettings: openEXRCxx, linkerSettings: openEXRLibraries),
        // The EXR benchmark's baselines (OpenEXR's own RGBA interface, raw reads, C-core writes):
        // only plateswap-bench links them, so they stay out of ExrShim's production API.
        .target(
            name: "ExrBenchShim", dependencies: ["ShimSupport"], path: "Sources/ExrBenchShim",
            cxxSettings: openEXRCxx, linkerSettings: openEXRLibraries),

        // OpenColorIO 2.1 (libopencolorio-dev): colour spaces by name, CPU processors
        .target(name: "OcioShim", dependencies: ["ShimSupport"], path: "Sources/OcioShim", cxxSettings: [.unsafeFlags(["-O2"])],
                linkerSettings: [.linkedLibrary("OpenColorIO")]),

        // oneDNN convolutions for Neural (libdnnl-dev 2.6, C API)
        .target(name: "DnnlShim", path: "Sources/DnnlShim", cSettings: [.unsafeFlags(["-O2"])],
                linkerSettings: [.linkedLibrary("dnnl")]),

        // Modules (dependencies flow downward only)
        .target(name: "Support", dependencies: [.product(name: "Crypto", package: "swift-crypto")]),
        .target(name: "Imaging", dependencies: ["Support", "OcioShim"], swiftSettings: fastMath),
        .target(name: "PlateIO", dependencies: ["Imaging", "Support", "ExrShim", "CFFmpeg", "FFShim"]),
        .target(name: "Neural", dependencies: ["COpenBLAS", "DnnlShim", "Support"], swiftSettings: fastMath),
        .target(name: "FaceAlign", dependencies: ["Neural", "Imaging"], swiftSettings: fastMath),
        .target(name: "LatentSwapModel", dependencies: ["Neural", "Imaging"], swiftSettings: fastMath),
        .target(name: "Compositor", dependencies: ["Imaging"], swiftSettings: fastMath),
        .target(
            name: "ShotPipeline",
            dependencies: ["FaceAlign", "LatentSwapModel", "Compositor", "PlateIO", "Neural", "Imaging", "Yams"]),
        .executableTarget(
            name: "plateswap",
            dependencies: ["ShotPipeline", "Support", .product(name: "ArgumentParser", package: "swift-argument-parser")]),

        // Benchmarks (run in release builds; see BENCHMARKS.md)
        .executableTarget(
            name: "plateswap-bench", dependencies: ["ShotPipeline", "ExrBenchShim", "Support"], path: "Benchmarks",
            swiftSettings: fastMath),

        // Tests
        .testTarget(name: "SupportTests", dependencies: ["Support"]),
        .testTarget(name: "ImagingTests", dependencies: ["Imaging"]),
        .testTarget(name: "PlateIOTests", dependencies: ["PlateIO"]),
        .testTarget(name: "NeuralTests", dependencies: ["Neural"]),
        // Fixtures/: facenet-pytorch MTCNN stage records (scripts/mtcnn_parity.py), read through #filePath.
        .testTarget(name: "FaceAlignTests", dependencies: ["FaceAlign", "PlateIO"], exclude: ["Fixtures"]),
        // Fixtures/: PyTorch reference steps (scripts/swap_parity.py), read through #filePath.
        .testTarget(name: "LatentSwapModelTests", dependencies: ["LatentSwapModel", "PlateIO"], exclude: ["Fixtures"]),
        .testTarget(name: "CompositorTests", dependencies: ["Compositor"]),
        .testTarget(name: "ShotPipelineTests", dependencies: ["ShotPipeline"]),
        .testTarget(name: "plateswapTests", dependencies: ["plateswap", "PlateIO", "Neural", "Imaging"]),
    ],
    swiftLanguageModes: [.v5]
)
