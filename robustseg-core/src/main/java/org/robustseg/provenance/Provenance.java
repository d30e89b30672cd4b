package org.robustseg.provenance;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.InputStream;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Properties;
import org.robustseg.engine.EngineGuard;

/**
 * The provenance block every artefact carries: which tool version and commit made it, when,
 * with what software, from which configuration, seeds and data. Built fluently and rendered
 * as a JSON object so that a run directory is self-describing.
 */
public final class Provenance {
    private final ObjectNode node = Json.object();

    private Provenance(String command) {
        node.put("tool", "robustseg");
        node.put("version", toolVersion());
        node.put("commit", System.getProperty("robustseg.commit", "unknown"));
        node.put("command", command);
        node.put("created", Instant.now().truncatedTo(ChronoUnit.SECONDS).toString());
        ObjectNode sw = node.putObject("software");
        sw.put("java", System.getProperty("java.version"));
        sw.put("os", System.getProperty("os.name") + " " + System.getProperty("os.arch"));
        // versions, threads, CPU, oneDNN cap and the numerics self-check, as the engine reports them
        sw.setAll(EngineGuard.describe());
    }

    /** Starts a provenance record for the named command (e.g. "train"). */
    public static Provenance of(String command) {
        return new Provenance(command);
    }

    /** Records the full configuration (any Jackson-serialisable value: a record, a map). */
    public Provenance config(Object config) {
        node.set("config", Json.toTree(config));
        return this;
    }

    public Provenance seed(long seed) {
        node.put("seed", seed);
        return this;
    }

    /** Records the identity of a data set: name, number of samples and content hash. */
    public Provenance dataset(String role, String name, int size, String contentHash) {
        ObjectNode ds = node.with("datasets").putObject(role);
        ds.put("name", name);
        ds.put("size", size);
        ds.put("content_hash", contentHash);
        return this;
    }

    /** Adds any other field (e.g. the provenance of a checkpoint this artefact came from). */
    public Provenance put(String key, JsonNode value) {
        node.set(key, value);
        return this;
    }

    public ObjectNode toJson() {
        return node.deepCopy();
    }

    /** The library version from the jar manifest or the build's version resource. */
    public static String toolVersion() {
        try (InputStream in = Provenance.class.getResourceAsStream("/org/robustseg/version.properties")) {
            if (in != null) {
                Properties p = new Properties();
                p.load(in);
                return p.getProperty("version", "unknown");
            }
        } catch (IOException ignored) {
            // fall through
        }
        return "unknown";
    }
}
