package org.robustseg.data;

import static org.junit.jupiter.api.Assertions.*;

import java.awt.image.BufferedImage;
import java.awt.image.IndexColorModel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class FashionScenesTest {
    private static final int TRAIN = 20;
    private static final int VAL = 6;

    private static FashionScenes scenes(long seed, int train, int val) {
        return FashionScenes.builder().trainSize(train).valSize(val).testSize(0).seed(seed).build();
    }

    @Test
    void sameSeedWritesIdenticalBytesAndHashDifferentSeedDoesNot(@TempDir Path tmp) throws Exception {
        DatasetManifest a = scenes(7, TRAIN, VAL).write(tmp.resolve("a"));
        DatasetManifest b = scenes(7, TRAIN, VAL).write(tmp.resolve("b"));
        DatasetManifest c = scenes(8, TRAIN, VAL).write(tmp.resolve("c"));
        assertEquals(a.contentHash(), b.contentHash());
        assertNotEquals(a.contentHash(), c.contentHash());
        assertEquals(64, a.contentHash().length());
        for (String id : List.of("train_000000", "train_000019", "val_000005")) {
            for (String dir : List.of("JPEGImages", "SegmentationClass")) {
                Path fa = tmp.resolve("a").resolve(dir).resolve(id + ".png");
                assertArrayEquals(Files.readAllBytes(fa), Files.readAllBytes(tmp.resolve("b").resolve(dir).resolve(id + ".png")), fa.toString());
            }
        }
        assertFalse(java.util.Arrays.equals(
                Files.readAllBytes(tmp.resolve("a/JPEGImages/train_000000.png")),
                Files.readAllBytes(tmp.resolve("c/JPEGImages/train_000000.png"))));
    }

    @Test
    void sceneDependsOnlyOnSeedSplitAndIndexNotOnSplitSize() {
        SegSample small = scenes(3, 5, 1).render(Split.TRAIN, 4).sample();
        SegSample large = scenes(3, 4000, 500).render(Split.TRAIN, 4).sample();
        assertArrayEquals(small.image(), large.image());
        assertArrayEquals(small.labels(), large.labels());
        // train and val scene 4 are different scenes
        assertFalse(java.util.Arrays.equals(small.labels(), scenes(3, 5, 5).render(Split.VAL, 4).sample().labels()));
    }

    @Test
    void everySceneHasOneToThreeVisibleGarmentsAndValidValues() {
        FashionScenes fs = scenes(0, TRAIN, VAL);
        Set<Integer> itemCounts = new HashSet<>();
        for (Split split : List.of(Split.TRAIN, Split.VAL)) {
            for (int i = 0; i < fs.size(split); i++) {
                FashionScenes.Scene scene = fs.render(split, i);
                SegSample s = scene.sample();
                assertEquals(FashionScenes.id(split, i), s.id());
                assertEquals(64, s.height());
                assertEquals(64, s.width());
                int items = scene.items().size();
                assertTrue(items >= 1 && items <= 3, s.id() + " has " + items + " items");
                itemCounts.add(items);
                for (float v : s.image()) {
                    assertTrue(v >= 0f && v <= 1f, s.id() + " pixel " + v);
                }
                Set<Integer> itemLabels = scene.items().stream().map(FashionScenes.Item::label).collect(Collectors.toSet());
                int objectPixels = 0;
                for (int l : s.labels()) {
                    assertTrue(l == 0 || itemLabels.contains(l), s.id() + " label " + l + " not among " + itemLabels);
                    assertTrue(l >= 0 && l <= 10);
                    if (l != 0) {
                        objectPixels++;
                    }
                }
                // a 28x28 glyph scaled by >= 0.9 covers far more than 20 pixels above alpha 0.3
                assertTrue(objectPixels >= 20, s.id() + " has only " + objectPixels + " object pixels");
                assertTrue(objectPixels < 64 * 64, s.id() + " has no background");
                // the last-painted garment is never covered, so its label is always present
                int lastLabel = scene.items().get(items - 1).label();
                assertTrue(java.util.Arrays.stream(s.labels()).anyMatch(l -> l == lastLabel));
                for (FashionScenes.Item item : scene.items()) {
                    assertTrue(item.size() >= 25 && item.size() <= 45, "item size " + item.size());
                    assertTrue(item.top() + item.size() <= 64 && item.left() + item.size() <= 64);
                }
            }
        }
        assertTrue(itemCounts.size() >= 2, "26 scenes should not all hold the same number of items: " + itemCounts);
    }

    @Test
    void writtenDataSetLoadsThroughVocLayoutWithTheGeneratedLabels(@TempDir Path tmp) throws Exception {
        FashionScenes fs = scenes(0, TRAIN, VAL);
        DatasetManifest manifest = fs.write(tmp);
        assertEquals("fashion-scenes", manifest.name());
        assertEquals(TRAIN, manifest.splits().get("train").count());
        assertEquals(VAL, manifest.splits().get("val").count());
        assertFalse(manifest.splits().containsKey("test"));
        assertFalse(Files.exists(tmp.resolve("ImageSets/Segmentation/test.txt")));

        SegDataset train = VocLayout.open(tmp, Split.TRAIN);
        SegDataset val = VocLayout.open(tmp, Split.VAL);
        assertEquals(TRAIN, train.size());
        assertEquals(VAL, val.size());
        assertEquals("fashion-scenes/val", val.name());
        assertEquals(11, val.classes().size());
        assertEquals(List.of("background", "t-shirt/top", "trouser", "pullover", "dress", "coat", "sandal", "shirt",
                "sneaker", "bag", "ankle boot"), val.classes().names());
        assertArrayEquals(FashionScenes.classes().palette(), val.classes().palette());
        assertEquals(manifest.splits().get("val").contentHash(), val.contentHash());
        for (int i = 0; i < VAL; i++) {
            SegSample loaded = val.get(i);
            SegSample generated = fs.render(Split.VAL, i).sample();
            assertEquals(generated.id(), loaded.id());
            assertArrayEquals(generated.labels(), loaded.labels(), loaded.id());
            assertArrayEquals(generated.image(), loaded.image(), 1e-6f, loaded.id()); // PNG is lossless, scenes are pre-quantised
        }

        // The manifest's hash is the hash of the files: recompute it with no dataset.json to trust.
        Files.delete(tmp.resolve(DatasetManifest.FILE_NAME));
        SegDataset unlabelled = VocLayout.open(tmp, Split.TRAIN);
        assertEquals(manifest.splits().get("train").contentHash(), unlabelled.contentHash());
        assertEquals(21, unlabelled.classes().size(), "without dataset.json the VOC classes apply");
    }

    @Test
    void labelFilesArePalettePngsWithTheVocPalette(@TempDir Path tmp) throws Exception {
        scenes(0, 2, 0).write(tmp);
        BufferedImage img = ImageIO.read(tmp.resolve("SegmentationClass/train_000000.png").toFile());
        IndexColorModel cm = assertInstanceOf(IndexColorModel.class, img.getColorModel());
        assertEquals(256, cm.getMapSize());
        assertEquals(0xE0E0C0, cm.getRGB(255) & 0xFFFFFF);
        assertEquals(0x800000, cm.getRGB(1) & 0xFFFFFF);
        assertEquals(0x000000, cm.getRGB(0) & 0xFFFFFF);
        assertEquals(List.of("train_000000", "train_000001"), Files.readAllLines(tmp.resolve("ImageSets/Segmentation/train.txt")));
        assertEquals(List.of(), Files.readAllLines(tmp.resolve("ImageSets/Segmentation/val.txt")));
    }

    @Test
    void missingFashionMnistNamesTheDebianPackage(@TempDir Path tmp) {
        Path missing = tmp.resolve("no-such-dir");
        DataException e = assertThrows(DataException.class,
                () -> FashionScenes.builder().trainSize(1).valSize(0).fashionMnistDir(missing).build().render(Split.TRAIN, 0));
        assertTrue(e.getMessage().contains("dataset-fashion-mnist"), e.getMessage());
        assertTrue(e.getMessage().startsWith(missing.toString()), e.getMessage());
    }

    @Test
    void fashionMnistReaderReadsBothParts() {
        FashionMnist train = FashionMnist.load(FashionMnist.Part.TRAIN);
        FashionMnist test = FashionMnist.load(FashionMnist.Part.TEST);
        assertEquals(60_000, train.size());
        assertEquals(10_000, test.size());
        assertEquals(9, train.label(0)); // Fashion-MNIST's first training item is an ankle boot
        float[] glyph = train.glyph(0);
        assertEquals(784, glyph.length);
        float max = 0;
        for (float v : glyph) {
            assertTrue(v >= 0 && v <= 1);
            max = Math.max(max, v);
        }
        assertEquals(1f, max, 0.05f);
    }
}
