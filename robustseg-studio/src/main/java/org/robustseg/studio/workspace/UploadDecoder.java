package org.robustseg.studio.workspace;

import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.util.Iterator;
import javax.imageio.ImageIO;
import javax.imageio.ImageReader;
import javax.imageio.stream.ImageInputStream;
import javax.imageio.stream.MemoryCacheImageInputStream;
import org.robustseg.data.Images;
import org.robustseg.data.Resample;

/**
 * Decodes an uploaded image safely: PNG or JPEG only, recognised by its signature (not by what
 * the client claims); its size read from the header and refused above a pixel limit before any
 * pixel is decoded (a small file can declare a huge image); decoded in memory, never from a path;
 * then cut to its centre square and resized to the models' size (area-averaged, then bilinear).
 */
public final class UploadDecoder {
    private static final byte[] PNG = {(byte) 0x89, 'P', 'N', 'G', '\r', '\n', 0x1A, '\n'};
    private static final byte[] JPEG = {(byte) 0xFF, (byte) 0xD8, (byte) 0xFF};

    private final int size;
    private final long maxPixels;

    /** Resizes to {@code size}×{@code size}; refuses images of more than {@code maxPixels} pixels. */
    public UploadDecoder(int size, long maxPixels) {
        this.size = size;
        this.maxPixels = maxPixels;
    }

    /** The image at the models' size, CHW in [0,1], with a sentence saying how it was resized. */
    public record Decoded(float[] image, int originalWidth, int originalHeight, String format, String note) {}

    public Decoded decode(byte[] bytes) {
        if (bytes.length == 0) {
            throw ApiException.badRequest("empty upload: send the bytes of a PNG or JPEG image as the request body");
        }
        String format = startsWith(bytes, PNG) ? "png" : startsWith(bytes, JPEG) ? "jpeg" : null;
        if (format == null) {
            throw new ApiException(415, "not a PNG or JPEG image: its first bytes are neither signature (the studio takes PNG and JPEG only)");
        }
        BufferedImage img;
        int w;
        int h;
        try (ImageInputStream in = new MemoryCacheImageInputStream(new ByteArrayInputStream(bytes))) {
            Iterator<ImageReader> readers = ImageIO.getImageReadersByFormatName(format);
            ImageReader reader = readers.next();
            try {
                reader.setInput(in, true, true);
                w = reader.getWidth(0);
                h = reader.getHeight(0);
                if ((long) w * h > maxPixels) {
                    throw new ApiException(413, "the image is " + w + "x" + h + " pixels; the studio decodes at most " + maxPixels
                            + " pixels (e.g. " + (int) Math.sqrt(maxPixels) + "x" + (int) Math.sqrt(maxPixels) + ")");
                }
                img = reader.read(0);
            } finally {
                reader.dispose();
            }
        } catch (IOException | RuntimeException e) {
            if (e instanceof ApiException api) {
                throw api;
            }
            // ImageIO throws IIOException, IndexOutOfBounds, ... on truncated or malformed files
            String why = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage().replace('\n', ' ');
            throw ApiException.badRequest("corrupt " + format.toUpperCase() + " image: " + why);
        }
        float[] chw = Images.toChw(img);
        int side = Math.min(w, h);
        int top = (h - side) / 2;
        int left = (w - side) / 2;
        float[] square = crop(chw, h, w, top, left, side);
        float[] resized = resize(square, side);
        String note = side == size && w == h ? "used as it is (" + size + "x" + size + ")"
                : (w == h ? "" : "cut to its centre " + side + "x" + side + " square and ") + "resized from " + w + "x" + h + " to the models' "
                        + size + "x" + size;
        return new Decoded(resized, w, h, format, note);
    }

    private static boolean startsWith(byte[] bytes, byte[] signature) {
        if (bytes.length < signature.length) {
            return false;
        }
        for (int i = 0; i < signature.length; i++) {
            if (bytes[i] != signature[i]) {
                return false;
            }
        }
        return true;
    }

    private static float[] crop(float[] chw, int h, int w, int top, int left, int side) {
        if (side == h && side == w) {
            return chw;
        }
        float[] out = new float[3 * side * side];
        for (int c = 0; c < 3; c++) {
            for (int y = 0; y < side; y++) {
                System.arraycopy(chw, c * h * w + (top + y) * w + left, out, c * side * side + y * side, side);
            }
        }
        return out;
    }

    /** Area average by the whole factor side/size first (bilinear alone would alias a big downscale), then bilinear. */
    private float[] resize(float[] square, int side) {
        int f = Math.max(1, side / size);
        float[] img = square;
        int s = side;
        if (f > 1) {
            int n = side / f;
            float[] out = new float[3 * n * n];
            for (int c = 0; c < 3; c++) {
                for (int y = 0; y < n; y++) {
                    for (int x = 0; x < n; x++) {
                        double sum = 0;
                        for (int dy = 0; dy < f; dy++) {
                            int row = c * side * side + (y * f + dy) * side + x * f;
                            for (int dx = 0; dx < f; dx++) {
                                sum += square[row + dx];
                            }
                        }
                        out[c * n * n + y * n + x] = (float) (sum / (f * f));
                    }
                }
            }
            img = out;
            s = n;
        }
        return s == size ? img : Resample.bilinear(img, 3, s, s, size, size);
    }
}
