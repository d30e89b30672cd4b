package org.robustseg.cli.options;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import picocli.CommandLine.Option;

/**
 * {@code --checkpoint NAME=CKPT}, optional, repeatable: models by the name a user picks them by
 * (the studio's model list), in the order given. CKPT is what {@link CheckpointFile} takes: a
 * checkpoint file or a run directory.
 */
public final class NamedCheckpoints {
    @Option(names = "--checkpoint", paramLabel = "NAME=CKPT", mapFallbackValue = Option.NULL_VALUE,
            description = "A model and the name it goes by, e.g. robust=runs/demo/models/robust; repeat for several.")
    LinkedHashMap<String, Path> checkpoints;

    /** The models given, by name in the order given; empty when none was given. */
    public Map<String, Path> byName() {
        Map<String, Path> out = new LinkedHashMap<>();
        if (checkpoints != null) {
            checkpoints.forEach((name, path) -> {
                if (path == null || name.isBlank()) {
                    throw new IllegalArgumentException("--checkpoint must be written NAME=CKPT, got '" + name + "'");
                }
                out.put(name.trim(), path);
            });
        }
        return out;
    }
}
