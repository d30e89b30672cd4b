package org.robustseg.data;

import java.io.DataInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.zip.GZIPInputStream;

/**
 * One part (train or test) of Fashion-MNIST, read from the idx.gz files that Debian's package
 * {@code dataset-fashion-mnist} installs under {@code /usr/share/datasets/fashion-mnist/}.
 * Parts are immutable and cached per directory, since decoding the 60 000 training glyphs takes
 * a noticeable fraction of a second.
 */
public final class FashionMnist {
    /** System property that overrides the directory holding the idx.gz files. */
    public static final String DIR_PROPERTY = "robustseg.fashionMnistDir";

    public static final Path DEBIAN_DIR = Path.of("/usr/share/datasets/fashion-mnist");

    /** Class names in Fashion-MNIST label order (0..9). */
    public static final List<String> CLASS_NAMES = List.of("t-shirt/top", "trouser", "pullover", "dress", "coat",
            "sandal", "shirt", "sneaker", "bag", "ankle boot");

    public static final int SIDE = 28;

    /** The two parts Fashion-MNIST is distributed in. */
    public enum Part {
        TRAIN("train"),
        TEST("t10k");

        private final String filePrefix;

        Part(String filePrefix) {
            this.filePrefix = filePrefix;
        }

        public String imagesFile() {
            return filePrefix + "-images-idx3-ubyte.gz";
        }

        public String labelsFile() {
            return filePrefix + "-labels-idx1-ubyte.gz";
        }
    }

    private static final Map<String, FashionMnist> CACHE = new ConcurrentHashMap<>();

    private final Part part;
    private final Path imagesFile;
    private final Path labelsFile;
    private final byte[] pixels; // size * 28 * 28, row-major per glyph
    private final byte[] labels;

    private FashionMnist(Part part, Path imagesFile, Path labelsFile, byte[] pixels, byte[] labels) {
        this.part = part;
        this.imagesFile = imagesFile;
        this.labelsFile = labelsFile;
        this.pixels = pixels;
        this.labels = labels;
    }

    /** The directory named by {@value #DIR_PROPERTY}, else Debian's install location. */
    public static Path defaultDir() {
        String dir = System.getProperty(DIR_PROPERTY);
        return dir == null || dir.isBlank() ? DEBIAN_DIR : Path.of(dir);
    }

    public static FashionMnist load(Part part) {
        return load(defaultDir(), part);
    }

    public static FashionMnist load(Path dir, Part part) {
        Path abs = dir.toAbsolutePath().normalize();
        return CACHE.computeIfAbsent(abs + "|" + part, k -> read(abs, part));
    }

    private static FashionMnist read(Path dir, Part part) {
        if (!Files.isDirectory(dir)) {
            throw new DataException(dir + ": Fashion-MNIST directory not found; install the Debian package "
                    + "dataset-fashion-mnist (apt-get install dataset-fashion-mnist) or set -D" + DIR_PROPERTY);
        }
        Path imagesFile = dir.resolve(part.imagesFile());
        Path labelsFile = dir.resolve(part.labelsFile());
        byte[] pixels = readIdx(imagesFile, 0x803, 3);
        byte[] labels = readIdx(labelsFile, 0x801, 1);
        if (pixels.length != labels.length * SIDE * SIDE) {
            throw new DataException(imagesFile + ": holds " + pixels.length / (SIDE * SIDE) + " images but "
                    + labelsFile.getFileName() + " holds " + labels.length + " labels");
        }
        for (int i = 0; i < labels.length; i++) {
            if (labels[i] < 0 || labels[i] >= CLASS_NAMES.size()) {
                throw new DataException(labelsFile + ": label " + labels[i] + " at index " + i + " is not a Fashion-MNIST class (0..9)");
            }
        }
        return new FashionMnist(part, imagesFile, labelsFile, pixels, labels);
    }

    /** Reads an idx file's payload after checking its magic number and dimensions. */
    private static byte[] readIdx(Path file, int magic, int dims) {
        if (!Files.isRegularFile(file)) {
            throw new DataException(file + ": Fashion-MNIST file not found; install the Debian package dataset-fashion-mnist");
        }
        try (InputStream raw = Files.newInputStream(file);
                DataInputStream in = new DataInputStream(new GZIPInputStream(raw, 1 << 16))) {
            int found = in.readInt();
            if (found != magic) {
                throw new DataException(file + ": not an idx file with " + dims + " dimensions (magic 0x"
                        + Integer.toHexString(found) + ", expected 0x" + Integer.toHexString(magic) + ")");
            }
            long count = 1;
            int[] shape = new int[dims];
            for (int d = 0; d < dims; d++) {
                shape[d] = in.readInt();
                count *= shape[d];
            }
            if (dims == 3 && (shape[1] != SIDE || shape[2] != SIDE)) {
                throw new DataException(file + ": images are " + shape[1] + "x" + shape[2] + ", expected 28x28");
            }
            byte[] data = new byte[Math.toIntExact(count)];
            in.readFully(data);
            return data;
        } catch (IOException e) {
            throw new DataException(file + ": cannot read idx file: " + ImageCodec.oneLine(e), e);
        }
    }

    public Part part() {
        return part;
    }

    public int size() {
        return labels.length;
    }

    /** The class of item {@code index}, 0..9. */
    public int label(int index) {
        return labels[index];
    }

    /** The 28x28 glyph of item {@code index}, row-major, intensities in [0,1]. */
    public float[] glyph(int index) {
        float[] out = new float[SIDE * SIDE];
        int base = index * SIDE * SIDE;
        for (int i = 0; i < out.length; i++) {
            out[i] = (pixels[base + i] & 0xFF) / 255f;
        }
        return out;
    }

    /** The idx.gz files this part was read from (for provenance). */
    public List<Path> sourceFiles() {
        return List.of(imagesFile, labelsFile);
    }
}
