/// Latent codecs (TAEF2 / TAESD / SD VAE) and the VQ latent swap autoencoder.
public enum LatentSwapModelLibrary {}
