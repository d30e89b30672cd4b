package org.robustseg.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.pytorch.jni.JniUtils;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.zip.ZipEntry;
import java.util.zip.ZipInputStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.robustseg.ProgressListener;
import org.robustseg.data.DataSets;
import org.robustseg.data.FashionScenes;
import org.robustseg.data.SegDataset;
import org.robustseg.data.Split;
import org.robustseg.provenance.Checkpoint;

/** Determinism, exact resumption and run-directory safety of the training loop. */
class TrainerTest {
    @TempDir
    static Path tmp;
    static SegDataset train;
    static int threadsBefore;

    @BeforeAll
    static void data() {
        Path data = tmp.resolve("data");
        FashionScenes.builder().trainSize(48).valSize(8).seed(3).build().write(data);
        train = DataSets.inMemory(DataSets.open(data, Split.TRAIN));
        ai.djl.engine.Engine.getEngine("PyTorch"); // loads the native library
        threadsBefore = JniUtils.getNumThreads();
        JniUtils.setNumThreads(1); // bit-identical results are promised on one thread
    }

    @AfterAll
    static void restoreThreads() {
        JniUtils.setNumThreads(threadsBefore);
    }

    private static TrainConfig config(int epochs) {
        return TrainConfig.builder("pspnet-lite").epochs(epochs).batchSize(8).seed(11).learningRate(0.01f)
                .augmentation(new Augmentation(0.8f, 1.2f, true)).build();
    }

    private static Map<String, byte[]> entries(Path ckpt) throws IOException {
        Map<String, byte[]> m = new HashMap<>();
        try (InputStream in = Files.newInputStream(ckpt); ZipInputStream zip = new ZipInputStream(in)) {
            for (ZipEntry e; (e = zip.getNextEntry()) != null; ) {
                m.put(e.getName(), zip.readAllBytes());
            }
        }
        return m;
    }

    @Test
    void sameSeedGivesBitIdenticalCheckpointAfterOneEpoch() throws IOException {
        // training neither reseeds nor draws from the caller's engine stream: the draws after a run are those without it
        ai.djl.engine.Engine engine = ai.djl.engine.Engine.getEngine("PyTorch");
        float[] expected;
        engine.setRandomSeed(2024);
        try (ai.djl.ndarray.NDManager m = ai.djl.ndarray.NDManager.newBaseManager("PyTorch")) {
            expected = m.randomUniform(0, 1, new ai.djl.ndarray.types.Shape(8)).toFloatArray();
        }
        engine.setRandomSeed(2024);
        Path a = new Trainer(config(1), new StandardRecipe(), train, null).run(tmp.resolve("a"), RunMode.FRESH);
        try (ai.djl.ndarray.NDManager m = ai.djl.ndarray.NDManager.newBaseManager("PyTorch")) {
            assertArrayEquals(expected, m.randomUniform(0, 1, new ai.djl.ndarray.types.Shape(8)).toFloatArray(),
                    "training changed the caller's random stream");
        }
        assertEquals(SgdMomentum.FORMAT, Checkpoint.open(a).meta().path(Trainer.OPTIMIZER_FORMAT).asText());
        Path b = new Trainer(config(1), new StandardRecipe(), train, null).run(tmp.resolve("b"), RunMode.FRESH);
        Map<String, byte[]> ea = entries(a);
        Map<String, byte[]> eb = entries(b);
        assertArrayEquals(ea.get("parameters.bin"), eb.get("parameters.bin"), "weights differ");
        assertArrayEquals(ea.get("optimizer.bin"), eb.get("optimizer.bin"), "optimizer state differs");

        TrainConfig otherSeed = TrainConfig.builder("pspnet-lite").epochs(1).batchSize(8).seed(12).learningRate(0.01f)
                .augmentation(new Augmentation(0.8f, 1.2f, true)).build();
        Path c = new Trainer(otherSeed, new StandardRecipe(), train, null).run(tmp.resolve("c"), RunMode.FRESH);
        assertFalse(java.util.Arrays.equals(ea.get("parameters.bin"), entries(c).get("parameters.bin")));
    }


    @Test
    void resumeAfterAKillMidEpochEndsBitIdenticalToAnUninterruptedRun() throws IOException {
        Path whole = new Trainer(config(3), new StandardRecipe(), train, null).run(tmp.resolve("whole"), RunMode.FRESH);
        Path broken = tmp.resolve("broken");
        // 6 steps per epoch: die in the middle of epoch 2
        assertThrows(IllegalStateException.class,
                () -> new Trainer(config(3), new StandardRecipe(), train, null).progress(new KillAfter(9)).run(broken, RunMode.FRESH));
        assertEquals(1, Checkpoint.open(broken).epoch());
        Path resumed = new Trainer(config(3), new StandardRecipe(), train, null).run(broken, RunMode.RESUME);
        assertEquals(3, Checkpoint.open(resumed).epoch());
        assertArrayEquals(entries(whole).get("parameters.bin"), entries(resumed).get("parameters.bin"));
        assertEquals(Checkpoint.open(whole).meta().path("history").get(2).path("losses"),
                Checkpoint.open(resumed).meta().path("history").get(2).path("losses"));
    }

    @Test
    void existingRunIsNeverOverwrittenWithoutPermission() {
        Path dir = tmp.resolve("guarded");
        new Trainer(config(1), new StandardRecipe(), train, null).run(dir, RunMode.FRESH);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> new Trainer(config(1), new StandardRecipe(), train, null).run(dir, RunMode.FRESH));
        assertTrue(e.getMessage().contains("--overwrite"), e.getMessage());
        assertTrue(Files.exists(Checkpoint.epochFile(dir, 1)));
        // a resume with a different configuration is refused and names the differing option
        TrainConfig other = TrainConfig.builder("pspnet-lite").epochs(1).batchSize(4).seed(11).learningRate(0.01f)
                .augmentation(new Augmentation(0.8f, 1.2f, true)).build();
        IllegalArgumentException r = assertThrows(IllegalArgumentException.class,
                () -> new Trainer(other, new StandardRecipe(), train, null).run(dir, RunMode.RESUME));
        assertTrue(r.getMessage().contains("batch"), r.getMessage());
    }

    @Test
    void initStartsFromAnotherRunsWeightsAndRecordsIt() throws IOException {
        Path a = new Trainer(config(1), new StandardRecipe(), train, null).run(tmp.resolve("init-a"), RunMode.FRESH);
        Path b = new Trainer(config(1), new StandardRecipe(), train, null).initFrom(a).run(tmp.resolve("init-b"), RunMode.FRESH);
        // same data, seed and schedule: only the starting weights differ, so the results must differ
        assertFalse(java.util.Arrays.equals(entries(a).get("parameters.bin"), entries(b).get("parameters.bin")));
        assertEquals(a.toAbsolutePath().toString(), org.robustseg.provenance.Json.read(tmp.resolve("init-b/run.json"))
                .path("provenance").path("init_checkpoint").path("file").asText());
        TrainConfig other = TrainConfig.builder("deeplabv3-lite").epochs(1).batchSize(8).seed(11).learningRate(0.01f)
                .augmentation(Augmentation.none()).build();
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> new Trainer(other, new StandardRecipe(), train, null).initFrom(a).run(tmp.resolve("init-c"), RunMode.FRESH));
        assertTrue(e.getMessage().contains("--init"), e.getMessage());
    }

    @Test
    void invalidSettingsNameTheOption() {
        assertTrue(assertThrows(IllegalArgumentException.class, () -> TrainConfig.builder("pspnet-lite").epochs(1).batchSize(0).seed(0)
                .learningRate(0.01f).weightDecay(0f)
                .augmentation(Augmentation.none()).build()).getMessage().contains("--batch"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> TrainConfig.builder("pspnet-lite").epochs(1).batchSize(-3).seed(0)
                .learningRate(0.01f).weightDecay(0f)
                .augmentation(Augmentation.none()).build()).getMessage().contains("--batch"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> OptimizerKind.parse("rmsprop"))
                .getMessage().contains("--optimizer"));
    }
}
