package org.robustseg.demo;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import org.robustseg.provenance.Json;
import org.robustseg.provenance.Provenance;

/**
 * The completion record of a resumable pipeline stage: a JSON file per stage holds the stage's inputs (configuration plus the identities of what it consumed),
 * its results and its wall time. A stage is complete when the record exists and its inputs equal
 * the current ones; anything else (missing, partial, other inputs) means run it again. The record
 * is written last and atomically, so an interrupted stage never looks complete.
 */
final class StageRecord {
    private StageRecord() {}

    /** The stored record in {@code file} if its stage completed with exactly these inputs. */
    static Optional<JsonNode> completed(Path file, JsonNode inputs) {
        if (!Files.isRegularFile(file)) {
            return Optional.empty();
        }
        JsonNode record;
        try {
            record = Json.read(file);
        } catch (RuntimeException e) {
            return Optional.empty();
        }
        return normalised(inputs).equals(record.path("inputs")) ? Optional.of(record) : Optional.empty();
    }

    /** Marks a stage complete by writing its record to {@code file}. */
    static JsonNode complete(Path file, String stage, JsonNode inputs, JsonNode results, double seconds) {
        ObjectNode record = Json.object();
        record.put("stage", stage);
        record.set("inputs", normalised(inputs));
        record.set("results", results);
        record.put("seconds", seconds);
        record.set("provenance", Provenance.of("demo " + stage).toJson());
        Json.write(file, record);
        return record;
    }

    /** The inputs as they will read back from disk (number types and key order as parsed). */
    private static JsonNode normalised(JsonNode inputs) {
        try {
            return Json.MAPPER.readTree(Json.MAPPER.writeValueAsString(inputs));
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }
}
