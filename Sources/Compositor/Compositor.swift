/// Colour transfer, mask shaping and linear-light paste-back.
public enum CompositorLibrary {}
