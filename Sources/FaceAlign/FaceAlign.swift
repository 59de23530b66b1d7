/// Face detection, landmarks, tracking, alignment and extraction.
public enum FaceAlignLibrary {}
