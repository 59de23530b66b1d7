import XCTest
import Neural
@testable import LatentSwapModel

/// The masked DSSIM of decoded faces: value and gradient against torch's autograd
/// (scripts/dssim_reference.py), a finite-difference check, and what it must score.
final class MaskedDSSIMTests: XCTestCase {
    func testLossAndGradientMatchTorch() throws {
        let file = try SafeTensorsFile(url: SwapParityTests.fixtures.appendingPathComponent("masked_dssim.safetensors"))
        let (x, y, w) = (try file.tensor("x"), try file.tensor("y"), try file.tensor("w"))
        let tape = Tape()
        let input = tape.variable(x)
        let loss = MaskedDSSIM.loss(input, target: y, weights: w)
        tape.backward(loss)
        let expected = try file.tensor("loss").data[0]
        XCTAssertEqual(loss.value.data[0], expected, accuracy: 1e-5 * expected)
        let grad = tape.gradient(of: input)!, reference = try file.tensor("grad")
        let scaleOfGrad = reference.data.map(abs).max()!
        let worst = zip(grad.data, reference.data).map { abs($0 - $1) }.max()!
        XCTAssertLessThan(worst, 1e-3 * scaleOfGrad, "largest gradient difference \(worst) of \(scaleOfGrad)")
    }

    func testGradientMatchesFiniteDifferences() {
        var random = SeededRandom(seed: 11)
        let y = random.uniformTensor([1, 2, 12, 12], 0, 1)
        let noise = random.normalTensor([1, 2, 12, 12], std: 0.1)
        let x = Tensor(shape: y.shape, data: zip(y.data, noise.data).map { min(max($0 + $1, 0), 1) })
        let w = SwapLoss.weights(mask: Tensor(shape: [1, 1, 12, 12], data: (0..<144).map { $0 % 12 > 3 ? 1 : 0 }), backgroundWeight: 0.25)
        let tape = Tape()
        let input = tape.variable(x)
        tape.backward(MaskedDSSIM.loss(input, target: y, weights: w))
        let grad = tape.gradient(of: input)!
        for i in stride(from: 0, to: x.count, by: 17) {
            var plus = x, minus = x
            plus.data[i] += 1e-2; minus.data[i] -= 1e-2
            let numeric = (MaskedDSSIM.loss(plus, target: y, weights: w) - MaskedDSSIM.loss(minus, target: y, weights: w)) / 2e-2
            XCTAssertEqual(Double(grad.data[i]), numeric, accuracy: 2e-3 * max(abs(numeric), 1e-3), "element \(i)")
        }
    }

    func testIdenticalImagesScoreZeroAndABlurScoresMoreThanAShift() {
        var random = SeededRandom(seed: 5)
        let image = random.uniformTensor([1, 3, 16, 16], 0, 1)
        let w = Tensor(shape: [1, 1, 16, 16], repeating: 1)
        XCTAssertEqual(MaskedDSSIM.loss(image, target: image, weights: w), 0, accuracy: 1e-6)
        // Brightness offset keeps structure: DSSIM stays far below that of a blur of the same image.
        let offset = image.map { min($0 + 0.05, 1) }
        var blurred = image
        blurred.data = MaskedDSSIM.blur(image.data, planes: 3, 16, 16)
        XCTAssertLessThan(MaskedDSSIM.loss(offset, target: image, weights: w), MaskedDSSIM.loss(blurred, target: image, weights: w) / 4)
        // Weights select where it counts: a change outside the weighted half does not move the loss.
        var halfWeights = Tensor(shape: [1, 1, 16, 16], repeating: 0)
        for i in 0..<128 { halfWeights.data[i] = 1 }
        var changed = image
        for ch in 0..<3 { for i in 224..<256 { changed.data[ch * 256 + i] = 1 - changed.data[ch * 256 + i] } }
        XCTAssertEqual(MaskedDSSIM.loss(changed, target: image, weights: halfWeights), 0, accuracy: 1e-6)
    }

    /// train.yaml's `pixel_loss.dssim`: the trainer's pixel term is the MSE plus that many DSSIMs
    /// of the decoded faces (values kept in [0, 1], as decoded images are).
    func testPixelLossAddsTheWeightedDSSIM() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("dssim-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: folder) }
        var options = TrainOptions()
        options.batchSize = 3
        options.pixelLossFaces = 2
        options.pixelLossDSSIM = 3
        let trainer = try PixelLossTests.trainer(options, folder: folder)
        let unit = { (t: Tensor) in t.map { 0.5 + 0.5 * Foundation.tanh($0) } }
        let reconstruction = unit(SwapFixtures.tensor([3, 4, 8, 8], seed: 50)), input = unit(SwapFixtures.tensor([3, 4, 8, 8], seed: 51))
        let weights = SwapLoss.weights(mask: SwapFixtures.mask(3, 8, 8), backgroundWeight: 0.1)
        let loss = Double(trainer.pixelLoss(Tape().variable(reconstruction), input, weights, UpsamplingDecoder()).value.data[0])
        let decoded = { (t: Tensor) in upsampleNearest(slice(slice(t, axis: 0, 0..<2), axis: 1, 0..<3), scale: 8) }
        let pixelWeights = upsampleNearest(slice(weights, axis: 0, 0..<2), scale: 8)
        let mse = SwapLoss.maskedMSE(decoded(reconstruction), target: decoded(input), weights: pixelWeights)
        let dssim = MaskedDSSIM.loss(decoded(reconstruction), target: decoded(input), weights: pixelWeights)
        XCTAssertGreaterThan(dssim, 0.01)
        XCTAssertEqual(loss, mse + 3 * dssim, accuracy: 1e-5 * loss)
    }
}
