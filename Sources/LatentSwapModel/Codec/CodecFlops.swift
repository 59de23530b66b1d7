import Neural

/// Counts the FLOPs (2 x multiply-adds) of a codec's convolutions, attention and linears while
/// following the spatial size through the network; elementwise work is left out. For benchmarks.
struct CodecFlopCounter {
    var height: Int, width: Int
    private(set) var total = 0.0

    init(height: Int, width: Int) { (self.height, self.width) = (height, width) }

    mutating func conv(_ conv: Conv2d) {
        let s = conv.weight.value.shape, p = conv.padding
        height = (height + p.top + p.bottom - s[2]) / conv.stride + 1
        width = (width + p.left + p.right - s[3]) / conv.stride + 1
        total += 2 * Double(s[0] * s[1] * s[2] * s[3]) * Double(height * width)
    }

    mutating func upsample() { (height, width) = (2 * height, 2 * width) }

    mutating func add(_ flops: Double) { total += flops }

    /// Single-head attention over all positions with `channels` features, plus its 4 projections.
    mutating func attention(channels c: Int) {
        let tokens = Double(height * width), c = Double(c)
        total += 4 * 2 * tokens * c * c + 2 * 2 * tokens * tokens * c
    }
}

extension TinyCodecNetwork {
    func count(_ counter: inout CodecFlopCounter) {
        for step in steps {
            switch step {
            case let .conv(conv): counter.conv(conv)
            case let .block(block):
                if let pool = block.pool { [pool.expand, pool.reduce].forEach { counter.conv($0) } }
                block.convs.forEach { counter.conv($0) }
            case .upsample: counter.upsample()
            case .relu, .softClamp: break
            }
        }
    }
}

extension TinyCodec {
    /// Convolution FLOPs of one encode of a `size` x `size` image and one decode back to it.
    public func convFlops(imageSize size: Int) -> (encode: Double, decode: Double) {
        var e = CodecFlopCounter(height: size, width: size), d = CodecFlopCounter(height: size / 8, width: size / 8)
        encoder.count(&e)
        decoder.count(&d)
        return (e.total, d.total)
    }
}

extension SDResnetBlock {
    func count(_ counter: inout CodecFlopCounter) {
        if let shortcut {
            // The 1x1 shortcut runs at the input's size, which conv1/conv2 keep.
            var side = CodecFlopCounter(height: counter.height, width: counter.width)
            side.conv(shortcut)
            counter.add(side.total)
        }
        counter.conv(conv1)
        counter.conv(conv2)
    }
}

extension SDVAEMidBlock {
    func count(_ counter: inout CodecFlopCounter) {
        first.count(&counter)
        if let attention { counter.attention(channels: attention.query.weight.value.shape[0]) }
        second.count(&counter)
    }
}

extension SDVAE {
    /// Convolution and attention FLOPs of one encode of a `size` x `size` image and one decode back.
    public func convFlops(imageSize size: Int) -> (encode: Double, decode: Double) {
        var e = CodecFlopCounter(height: size, width: size)
        e.conv(encoder.convIn)
        for level in encoder.levels {
            level.resnets.forEach { $0.count(&e) }
            if let downsample = level.downsample { e.conv(downsample) }
        }
        encoder.mid.count(&e)
        e.conv(encoder.convOut)
        if let quantConv { e.conv(quantConv) }

        var d = CodecFlopCounter(height: size / downscale, width: size / downscale)
        if let postQuantConv { d.conv(postQuantConv) }
        d.conv(decoder.convIn)
        decoder.mid.count(&d)
        for level in decoder.levels {
            level.resnets.forEach { $0.count(&d) }
            if let upsample = level.upsample {
                d.upsample()
                d.conv(upsample)
            }
        }
        d.conv(decoder.convOut)
        return (e.total, d.total)
    }
}
