package org.robustseg.cli;

import static org.junit.jupiter.api.Assertions.*;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.robustseg.engine.Agreement;
import org.robustseg.engine.OneDnnIsa;
import org.robustseg.provenance.Json;

/**
 * The fall-back path, forced on every CPU: real CLI processes in which float32 results are made
 * wrong (simulated, {@link Agreement#SIMULATE_PROPERTY}) under the caps this machine would run.
 * The CLI must say so in one line, restart itself under the next safer oneDNN cap, pass there and
 * record that cap; with no safe cap left it must stop with one error line naming the problem.
 */
public class SaferIsaFallbackTest {
    @TempDir
    Path tmp;

    private record Outcome(int code, String out, String err) {}

    private Outcome cli(String simulateUnder, String... args) throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Dai.djl.offline=true", "-Dorg.slf4j.simpleLogger.defaultLogLevel=warn", "-Dorg.slf4j.simpleLogger.log.ai.djl=error",
                "-D" + Agreement.SIMULATE_PROPERTY + "=" + simulateUnder,
                "-cp", System.getProperty("java.class.path"), Main.class.getName()));
        cmd.addAll(List.of(args));
        Path out = tmp.resolve("out.txt");
        Path err = tmp.resolve("err.txt");
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectOutput(out.toFile()).redirectError(err.toFile());
        pb.environment().remove(OneDnnIsa.VARIABLE); // start from this machine's default, whatever the suite runs under
        pb.environment().remove(OneDnnIsa.LEGACY_VARIABLE);
        Process p = pb.start();
        assertTrue(p.waitFor(300, TimeUnit.SECONDS), "the CLI did not finish");
        return new Outcome(p.exitValue(), Files.readString(out, StandardCharsets.UTF_8), Files.readString(err, StandardCharsets.UTF_8));
    }

    @Test
    void wrongResultsUnderTheDefaultCapRestartTheCommandUnderASaferOneThatIsRecorded() throws Exception {
        List<String> ladder = OneDnnIsa.ladder(OneDnnIsa.cpuFlags());
        String safest = ladder.get(ladder.size() - 1);
        // every cap but the safest computes wrongly: the CLI must walk down the whole ladder
        String bad = String.join(",", ladder.subList(0, ladder.size() - 1));
        Outcome o = cli(bad, "doctor", "--json", "--models", "pspnet-lite", "--batch", "2", "--size", "32");
        assertEquals(0, o.code(), o.err());
        List<String> restarts = o.err().lines().filter(l -> l.startsWith("robustseg: ")).toList();
        assertEquals(ladder.size() - 1, restarts.size(), o.err());
        for (int i = 0; i < restarts.size(); i++) {
            assertTrue(restarts.get(i).contains("under oneDNN cap " + ladder.get(i) + "; restarting with "
                    + OneDnnIsa.VARIABLE + "=" + ladder.get(i + 1)), restarts.get(i));
        }
        String json = o.out().substring(o.out().lastIndexOf("{\n  \"software\""));
        JsonNode report = Json.MAPPER.readTree(json);
        assertEquals("ok", report.path("result").asText(), json);
        assertEquals(safest, report.path("software").path("onednn_isa_cap").asText());
        assertTrue(report.path("software").path("numerics_self_check").asText().startsWith("passed"), json);
        assertEquals(2, report.path("checks").size(), "engine battery and the model");
    }

    @Test
    void withNoSafeCapLeftTheCommandStopsWithOneErrorLine() throws Exception {
        String all = String.join(",", OneDnnIsa.ladder(OneDnnIsa.cpuFlags()));
        Outcome o = cli(all, "info", "--model", "pspnet-lite");
        assertEquals(Main.EXIT_NUMERICS, o.code(), o.err());
        List<String> errors = o.err().lines().filter(l -> l.startsWith("error: ")).toList();
        assertEquals(1, errors.size(), o.err());
        assertTrue(errors.get(0).contains("float32 results disagree with float64") && errors.get(0).contains("no safer oneDNN cap"),
                errors.get(0));
    }
}
