package org.robustseg.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.robustseg.data.FashionScenes;
import org.robustseg.data.LabelMap;
import org.robustseg.data.LabelMaps;

/**
 * Bad input through the real CLI: each case gives exactly one "error:" line naming the file or
 * option, and a non-zero exit; nothing already written is touched.
 */
public class CliErrorsTest {
    @TempDir
    static Path tmp;
    static Path data;

    @BeforeAll
    static void data() {
        data = tmp.resolve("data");
        FashionScenes.builder().trainSize(16).valSize(4).seed(1).build().write(data);
    }

    private record Outcome(int code, String err) {}

    private static Outcome run(String... args) {
        StringWriter err = new StringWriter();
        int code = Main.execute(new PrintWriter(err, true), args);
        return new Outcome(code, err.toString().trim());
    }

    private static void assertOneLineError(Outcome o, String mustContain) {
        assertTrue(o.code() != 0, "exit code should be non-zero: " + o);
        List<String> errorLines = o.err().lines().filter(l -> l.startsWith("error:")).toList();
        assertEquals(1, errorLines.size(), "exactly one error line expected: " + o.err());
        assertTrue(errorLines.get(0).contains(mustContain), "error should name '" + mustContain + "': " + errorLines.get(0));
    }

    /** A copy of the fixture data set that a test may damage. */
    private static Path copyOfData(String name) throws IOException {
        Path copy = tmp.resolve(name);
        try (var files = Files.walk(data)) {
            for (Path p : files.toList()) {
                Path target = copy.resolve(data.relativize(p).toString());
                if (Files.isDirectory(p)) {
                    Files.createDirectories(target);
                } else {
                    Files.copy(p, target);
                }
            }
        }
        return copy;
    }

    @Test
    void missingDataDirectory() {
        Path missing = tmp.resolve("no-such-dir");
        assertOneLineError(run("train", "--data", missing.toString(), "--out", tmp.resolve("r0").toString()), missing.toString());
    }

    @Test
    void corruptPng() throws IOException {
        Path d = copyOfData("corrupt");
        Path img = d.resolve("JPEGImages").resolve(FashionScenes.id(org.robustseg.data.Split.TRAIN, 2) + ".png");
        Files.write(img, new byte[] {(byte) 0x89, 'P', 'N', 'G', 1, 2, 3});
        assertOneLineError(run("train", "--data", d.toString(), "--epochs", "1", "--out", tmp.resolve("r1").toString()),
                img.getFileName().toString());
    }

    @Test
    void labelMapOfTheWrongSize() throws IOException {
        Path d = copyOfData("wrongsize");
        String id = FashionScenes.id(org.robustseg.data.Split.TRAIN, 1);
        Path label = d.resolve("SegmentationClass").resolve(id + ".png");
        LabelMaps.write(label, new LabelMap(32, 32, new int[32 * 32]), FashionScenes.classes().palette());
        assertOneLineError(run("train", "--data", d.toString(), "--epochs", "1", "--out", tmp.resolve("r2").toString()),
                id + ".png");
    }

    @Test
    void classIdBeyondTheClassesThatIsNotIgnore() throws IOException {
        Path d = copyOfData("badclass");
        String id = FashionScenes.id(org.robustseg.data.Split.TRAIN, 0);
        int[] labels = new int[64 * 64];
        labels[5] = 11; // 11 classes: 0..10 valid, 255 ignore
        LabelMaps.write(d.resolve("SegmentationClass").resolve(id + ".png"), new LabelMap(64, 64, labels),
                FashionScenes.classes().palette());
        assertOneLineError(run("train", "--data", d.toString(), "--epochs", "1", "--out", tmp.resolve("r3").toString()),
                id + ".png");
    }

    @Test
    void unknownModelName() {
        assertOneLineError(run("train", "--model", "pspnet-huge", "--data", data.toString(), "--out",
                tmp.resolve("r4").toString()), "pspnet-huge");
        assertOneLineError(run("info", "--model", "pspnet-huge"), "pspnet-huge");
    }

    @Test
    void nonPositiveBatchSize() {
        assertOneLineError(run("train", "--batch", "0", "--data", data.toString(), "--out", tmp.resolve("r5").toString()), "--batch");
        assertOneLineError(run("train", "--batch", "-2", "--data", data.toString(), "--out", tmp.resolve("r6").toString()), "--batch");
    }

    @Test
    void badRecipeOptionsNameTheOption() {
        String out = tmp.resolve("r8").toString();
        String d = data.toString();
        Outcome unknown = run("train", "--recipe", "pgd", "--data", d, "--out", out);
        assertOneLineError(unknown, "--recipe");
        assertTrue(unknown.err().contains("pgd-at") && unknown.err().contains("fast-at"), unknown.err());
        assertOneLineError(run("train", "--recipe", "pgd-at", "--eps", "-1/255", "--data", d, "--out", out), "--eps");
        assertOneLineError(run("train", "--recipe", "pgd-at", "--eps", "8/x", "--data", d, "--out", out), "--eps");
        assertOneLineError(run("train", "--recipe", "sat", "--adv-share", "1.5", "--data", d, "--out", out), "--adv-share");
        assertOneLineError(run("train", "--recipe", "pgd-at", "--adv-share", "0.5", "--data", d, "--out", out), "--adv-share");
        assertOneLineError(run("train", "--recipe", "trades", "--beta", "-1", "--data", d, "--out", out), "--beta");
        assertOneLineError(run("train", "--recipe", "pgd-at", "--norm", "l3", "--data", d, "--out", out), "--norm");
        assertOneLineError(run("train", "--recipe", "fast-at", "--attack-steps", "3", "--data", d, "--out", out), "--attack-steps");
        assertOneLineError(run("train", "--eps", "8/255", "--data", d, "--out", out), "--eps");
        assertTrue(Files.notExists(tmp.resolve("r8").resolve("checkpoints")));
    }

    @Test
    void existingRunDirectoryIsNotOverwritten() throws IOException {
        Path out = tmp.resolve("r7");
        assertEquals(0, run("train", "--data", data.toString(), "--epochs", "1", "--batch", "8", "--no-val", "--out",
                out.toString()).code());
        byte[] before = Files.readAllBytes(out.resolve("checkpoints/epoch-0001.ckpt"));
        assertOneLineError(run("train", "--data", data.toString(), "--epochs", "1", "--batch", "8", "--out", out.toString()),
                "--overwrite");
        assertTrue(java.util.Arrays.equals(before, Files.readAllBytes(out.resolve("checkpoints/epoch-0001.ckpt"))));
        assertEquals(0, run("eval", "--checkpoint", out.toString(), "--data", data.toString()).code());
        assertTrue(Files.exists(out.resolve("metrics.json")));
    }
}
