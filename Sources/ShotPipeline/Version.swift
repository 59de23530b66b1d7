/// The plateswap version, written into every output EXR as `plateswap:version`.
public enum PlateswapVersion {
    public static let string = "0.1.0"
}
