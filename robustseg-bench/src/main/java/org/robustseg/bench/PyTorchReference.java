package org.robustseg.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.BufferedReader;
import java.io.BufferedWriter;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStreamWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import com.fasterxml.jackson.databind.SerializationFeature;
import org.robustseg.provenance.Json;

/**
 * The PyTorch reference (bench/reference/reference.py) as a child process speaking JSON lines
 * on stdin/stdout. It stays alive for the whole bench so both sides are warm, and it computes
 * only while Java waits for its reply: the two never compete for the cores.
 */
public final class PyTorchReference implements AutoCloseable {
    private final Process process;
    private final BufferedWriter in;
    private final BufferedReader out;
    private final Path stderr;

    private PyTorchReference(Process process, Path stderr) {
        this.process = process;
        this.stderr = stderr;
        in = new BufferedWriter(new OutputStreamWriter(process.getOutputStream(), StandardCharsets.UTF_8));
        out = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8));
    }

    /**
     * Starts {@code python script serve threads}; fails with what to install when the
     * interpreter or torch is missing.
     */
    static PyTorchReference start(Path python, Path script, int threads) throws IOException {
        if (!Files.isRegularFile(script)) {
            throw new IllegalArgumentException("--reference: " + script + " does not exist (run from the repository root)");
        }
        if (!Files.isExecutable(python)) {
            throw new IllegalArgumentException("--python: " + python + " is not an executable; install Debian's python3-torch "
                    + "and libopenblas0-pthread (apt-get install python3-torch libopenblas0-pthread), or pass --no-reference");
        }
        Path log = Files.createTempFile("robustseg-reference", ".log");
        ProcessBuilder pb = new ProcessBuilder(python.toString(), script.toString(), "serve", Integer.toString(threads))
                .redirectError(log.toFile());
        pb.environment().put("OMP_NUM_THREADS", Integer.toString(threads));
        PyTorchReference ref = new PyTorchReference(pb.start(), log);
        ref.call(Json.object().put("cmd", "info")); // fails here, with torch's own message, if torch is missing
        return ref;
    }

    /** Sends one request and returns its reply; a failed request or a dead process throws with the reason. */
    JsonNode call(ObjectNode request) throws IOException {
        in.write(Json.MAPPER.writer().without(SerializationFeature.INDENT_OUTPUT).writeValueAsString(request));
        in.newLine();
        in.flush();
        String line = out.readLine();
        if (line == null) {
            throw new IOException("the PyTorch reference exited while answering " + request + ": " + tail()
                    + " (needs Debian's python3-torch: apt-get install python3-torch libopenblas0-pthread)");
        }
        JsonNode reply = Json.MAPPER.readTree(line);
        if (!reply.path("ok").asBoolean()) {
            throw new IOException("the PyTorch reference failed on " + request + ": " + reply.path("error").asText());
        }
        return reply;
    }

    private String tail() {
        try {
            String s = Files.readString(stderr);
            return s.length() > 1500 ? s.substring(s.length() - 1500) : s;
        } catch (IOException e) {
            return "(no stderr: " + e.getMessage() + ")";
        }
    }

    @Override
    public void close() throws IOException, InterruptedException {
        try {
            in.write("{\"cmd\": \"quit\"}\n");
            in.flush();
        } catch (IOException ignored) {
            // already gone
        }
        if (!process.waitFor(10, TimeUnit.SECONDS)) {
            process.destroyForcibly();
        }
        Files.deleteIfExists(stderr);
    }
}
