package org.robustseg.spark;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Supplier;

/**
 * What an executor JVM keeps between the tasks of a job (the job rebuilt from its options, its
 * models): built on first use and kept until the JVM ends, so a checkpoint is read once per
 * executor rather than once per task.
 */
final class JvmCache {
    private static final Map<String, Object> ENTRIES = new ConcurrentHashMap<>();

    private JvmCache() {}

    /** The entry of {@code key} (a job's kind, device and options), made by {@code make} on first use. */
    @SuppressWarnings("unchecked")
    static <T> T get(String key, Supplier<T> make) {
        return (T) ENTRIES.computeIfAbsent(key, k -> make.get());
    }

    /** The key of a job: its kind, its device and its options, as given. */
    static String key(String kind, String device, String[] args) {
        return kind + "\u0000" + device + "\u0000" + String.join("\u0000", args);
    }
}
