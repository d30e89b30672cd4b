package org.robustseg.spark;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;

/**
 * Inputs on any Hadoop-readable file system: a --data or --checkpoint value written as a URI
 * (hdfs://, s3a://, file://, …) is copied once per JVM — once per node and job on a cluster — to
 * the local disk, and the job reads the copy with the same code as a local path. The copy is made
 * under a temporary name and renamed, so two JVMs of one node never read a half copy.
 */
final class Staging {
    /** The options whose values are input paths. */
    private static final Set<String> INPUTS = Set.of("--data", "--checkpoint");
    private static final Map<String, Path> COPIES = new ConcurrentHashMap<>();

    private Staging() {}

    /** {@code args} with every input URI replaced by its local copy. */
    static String[] localise(String[] args) {
        String[] out = args.clone();
        for (int i = 0; i < out.length; i++) {
            String a = out[i];
            int eq = a.indexOf('=');
            if (eq > 0 && INPUTS.contains(a.substring(0, eq))) {
                out[i] = a.substring(0, eq + 1) + local(a.substring(eq + 1));
            } else if (INPUTS.contains(a) && i + 1 < out.length) {
                out[i + 1] = local(out[i + 1]);
                i++;
            }
        }
        return out;
    }

    /** The local path of {@code value}: itself unless it is a URI, else its copy on this node. */
    static String local(String value) {
        if (!value.contains("://")) {
            return value;
        }
        return COPIES.computeIfAbsent(value, Staging::copy).toString();
    }

    private static Path copy(String uri) {
        Path root = Path.of(System.getProperty("java.io.tmpdir"), "robustseg-staging");
        Path target = root.resolve(sha256(uri));
        try {
            if (Files.exists(target)) {
                return target; // staged earlier by another JVM of this node
            }
            Files.createDirectories(root);
            Path tmp = Files.createTempDirectory(root, ".staging");
            org.apache.hadoop.fs.Path src = new org.apache.hadoop.fs.Path(uri);
            FileSystem fs = src.getFileSystem(new Configuration());
            if (!fs.exists(src)) {
                throw new IllegalArgumentException("input " + uri + " does not exist");
            }
            org.apache.hadoop.fs.Path dst = new org.apache.hadoop.fs.Path(tmp.resolve("copy").toUri());
            // raw local destination: no .crc files beside the copy
            fs.copyToLocalFile(false, src, dst, true);
            try {
                Files.move(tmp.resolve("copy"), target, StandardCopyOption.ATOMIC_MOVE);
            } catch (java.nio.file.FileAlreadyExistsException | java.nio.file.DirectoryNotEmptyException e) {
                // another JVM of this node finished the same copy first: use theirs
            }
            deleteTree(tmp);
            return target;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot copy " + uri + " to this node: " + e.getMessage(), e);
        }
    }

    private static void deleteTree(Path dir) throws IOException {
        if (!Files.exists(dir)) {
            return;
        }
        try (var walk = Files.walk(dir)) {
            for (Path p : walk.sorted(java.util.Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        }
    }

    private static String sha256(String text) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
