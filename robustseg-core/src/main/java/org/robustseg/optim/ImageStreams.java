package org.robustseg.optim;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.List;
import java.util.SplittableRandom;

/**
 * Random streams per image rather than per batch. An evaluation seeded per batch draws image i's
 * random start from the batch's stream at position i, so the same image gets another start when
 * the batches are cut differently (another batch size, a data set split into partitions, a rerun
 * that skips finished images), and every batch of a run repeats the first batch's draws. Keyed by
 * the image's id instead, image {@code id} under seed {@code s} always draws from the same stream,
 * wherever it is evaluated: in one process or on a cluster.
 *
 * <p>The key of an id is the first 8 bytes (big-endian) of SHA-256 over its UTF-8 bytes, so any
 * tool can recompute it; the generator of (seed, key) is {@code SplittableRandom(seed · φ64 + key)}.
 */
public final class ImageStreams {
    /** 2^64 / golden ratio, odd: spreads consecutive seeds over the key space. */
    private static final long GOLDEN = 0x9E3779B97F4A7C15L;

    private ImageStreams() {}

    /** The key of the image with this id. */
    public static long key(String id) {
        try {
            byte[] h = MessageDigest.getInstance("SHA-256").digest(id.getBytes(StandardCharsets.UTF_8));
            long k = 0;
            for (int i = 0; i < 8; i++) {
                k = (k << 8) | (h[i] & 0xff);
            }
            return k;
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is missing from this JVM", e);
        }
    }

    /** The keys of a batch's images, in batch order. */
    public static long[] keys(List<String> ids) {
        long[] keys = new long[ids.size()];
        for (int i = 0; i < keys.length; i++) {
            keys[i] = key(ids.get(i));
        }
        return keys;
    }

    /** A fresh generator of the stream of image {@code key} under {@code seed}. */
    public static SplittableRandom generator(long seed, long key) {
        return new SplittableRandom(seed * GOLDEN + key);
    }
}
