package org.robustseg.data;

import static org.junit.jupiter.api.Assertions.*;

import java.awt.image.BufferedImage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class VocLayoutTest {
    @Test
    void realVocStyleTreeLoadsWithVocClassesAndIgnoreBorders(@TempDir Path root) throws Exception {
        int[] labels = Fixtures.writeVocSample(root, "2008_000001", 12, 16);
        Fixtures.writeLines(root.resolve("ImageSets/Segmentation/val.txt"), "2008_000001", "");

        SegDataset val = VocLayout.open(root, Split.VAL);
        assertEquals(1, val.size());
        assertEquals(21, val.classes().size());
        assertEquals("aeroplane", val.classes().names().get(1));
        assertEquals("tvmonitor", val.classes().names().get(20));
        assertEquals(0xC08080, val.classes().palette()[15]); // person
        SegSample s = val.get(0);
        assertEquals("2008_000001", s.id());
        assertEquals(12, s.height());
        assertEquals(16, s.width());
        assertArrayEquals(labels, s.labels());
        assertEquals(255, s.labels()[0]);
        assertEquals(15, s.labels()[5 * 16 + 3]);
        // JPEG is lossy (and subsamples chroma), but the smooth pattern survives on average within a few levels
        float[] expected = Images.toChw(Fixtures.pattern(12, 16));
        double meanError = 0;
        for (int i = 0; i < expected.length; i++) {
            meanError += Math.abs(expected[i] - s.image()[i]) / expected.length;
        }
        assertTrue(meanError < 0.03, "mean JPEG error " + meanError);
        assertEquals(64, val.contentHash().length());
        assertEquals(val.contentHash(), VocLayout.open(root, Split.VAL).contentHash(), "hash is stable");
    }

    @Test
    void pngImagesAndImagesDirAreAcceptedToo(@TempDir Path root) throws Exception {
        Fixtures.writePng(root.resolve("images/a.png"), Fixtures.pattern(4, 5));
        LabelMaps.write(root.resolve("SegmentationClass/a.png"), new LabelMap(4, 5, new int[20]), ClassSets.vocPalette());
        Fixtures.writeLines(root.resolve("ImageSets/Segmentation/train.txt"), "a");
        SegSample s = VocLayout.open(root, Split.TRAIN).get(0);
        assertEquals(1f, s.image()[4], 1e-6f); // lossless: x=4 has red 255
    }

    @Test
    void concurrentReadsAndInMemoryCopyAgreeWithSequentialReads(@TempDir Path root) throws Exception {
        FashionScenes.builder().trainSize(12).valSize(0).seed(5).build().write(root);
        SegDataset train = VocLayout.open(root, Split.TRAIN);
        List<SegSample> sequential = IntStream.range(0, train.size()).mapToObj(train::get).toList();
        List<SegSample> parallel = IntStream.range(0, train.size()).parallel().mapToObj(train::get).toList();
        InMemoryDataset cached = InMemoryDataset.of(train);
        assertEquals(train.contentHash(), cached.contentHash());
        assertEquals(train.name(), cached.name());
        for (int i = 0; i < train.size(); i++) {
            assertArrayEquals(sequential.get(i).labels(), parallel.get(i).labels());
            assertArrayEquals(sequential.get(i).image(), parallel.get(i).image());
            assertArrayEquals(sequential.get(i).labels(), cached.get(i).labels());
        }
        cached.get(0).labels()[0] = 99; // callers get copies: the cache is unaffected
        assertEquals(sequential.get(0).labels()[0], cached.get(0).labels()[0]);
    }

    @Test
    void missingDataDirectoryIsNamed(@TempDir Path tmp) {
        Path missing = tmp.resolve("nope");
        DataException e = assertThrows(DataException.class, () -> VocLayout.open(missing, Split.TRAIN));
        assertEquals(missing + ": data directory not found", e.getMessage());
    }

    @Test
    void missingSplitFileIsNamed(@TempDir Path root) {
        DataException e = assertThrows(DataException.class, () -> VocLayout.open(root, Split.TEST));
        assertTrue(e.getMessage().startsWith(root.resolve("ImageSets/Segmentation/test.txt").toString()), e.getMessage());
    }

    @Test
    void missingImageOrLabelFileIsNamedWhenOpening(@TempDir Path root) throws Exception {
        Fixtures.writeVocSample(root, "x", 6, 6);
        Fixtures.writeLines(root.resolve("ImageSets/Segmentation/train.txt"), "x", "y");
        DataException e = assertThrows(DataException.class, () -> VocLayout.open(root, Split.TRAIN));
        assertTrue(e.getMessage().startsWith(root.resolve("SegmentationClass/y.png").toString()), e.getMessage());
        Files.delete(root.resolve("JPEGImages/x.jpg"));
        Fixtures.writeLines(root.resolve("ImageSets/Segmentation/train.txt"), "x");
        e = assertThrows(DataException.class, () -> VocLayout.open(root, Split.TRAIN));
        assertTrue(e.getMessage().startsWith(root.resolve("JPEGImages/x.jpg").toString()), e.getMessage());
    }

    @Test
    void corruptPngIsNamed(@TempDir Path root) throws Exception {
        Fixtures.writeVocSample(root, "x", 6, 6);
        Fixtures.writeLines(root.resolve("ImageSets/Segmentation/train.txt"), "x");
        Path label = root.resolve("SegmentationClass/x.png");
        Files.write(label, "this is not a PNG at all".getBytes());
        SegDataset ds = VocLayout.open(root, Split.TRAIN);
        DataException e = assertThrows(DataException.class, () -> ds.get(0));
        assertTrue(e.getMessage().startsWith(label.toString()), e.getMessage());
        assertFalse(e.getMessage().contains("\n"));

        // a PNG that starts right but is cut short
        byte[] good = LabelMaps.encodePng(new LabelMap(6, 6, new int[36]), ClassSets.vocPalette());
        Files.write(label, java.util.Arrays.copyOf(good, 40));
        e = assertThrows(DataException.class, () -> ds.get(0));
        assertTrue(e.getMessage().startsWith(label.toString()), e.getMessage());
    }

    @Test
    void labelMapOfTheWrongSizeIsNamedWithBothSizes(@TempDir Path root) throws Exception {
        Fixtures.writeVocSample(root, "x", 6, 8);
        Fixtures.writeLines(root.resolve("ImageSets/Segmentation/train.txt"), "x");
        Path label = root.resolve("SegmentationClass/x.png");
        LabelMaps.write(label, new LabelMap(6, 7, new int[42]), ClassSets.vocPalette());
        DataException e = assertThrows(DataException.class, () -> VocLayout.open(root, Split.TRAIN).get(0));
        assertEquals(label + ": label map is 6x7 (HxW) but its image x.jpg is 6x8", e.getMessage());
    }

    @Test
    void unknownClassIdIsNamedWithValueAndClassCount(@TempDir Path root) throws Exception {
        FashionScenes.builder().trainSize(2).valSize(0).build().write(root); // 11 classes per dataset.json
        Path label = root.resolve("SegmentationClass/train_000001.png");
        int[] values = new int[64 * 64];
        values[64 * 3 + 5] = 11;
        values[0] = 255; // ignore is always allowed
        LabelMaps.write(label, new LabelMap(64, 64, values), ClassSets.vocPalette());
        SegDataset train = VocLayout.open(root, Split.TRAIN);
        assertEquals(11, train.classes().size());
        train.get(0);
        DataException e = assertThrows(DataException.class, () -> train.get(1));
        assertEquals(label + ": label value 11 at (x=5, y=3) is not a class id of this 11-class data set (0..10) nor 255 (ignore)",
                e.getMessage());
    }

    @Test
    void colourLabelImageIsRefused(@TempDir Path root) throws Exception {
        Fixtures.writeVocSample(root, "x", 6, 6);
        Fixtures.writeLines(root.resolve("ImageSets/Segmentation/train.txt"), "x");
        Path label = root.resolve("SegmentationClass/x.png");
        Fixtures.writePng(label, new BufferedImage(6, 6, BufferedImage.TYPE_INT_RGB));
        DataException e = assertThrows(DataException.class, () -> VocLayout.open(root, Split.TRAIN).get(0));
        assertTrue(e.getMessage().startsWith(label + ": label map has 3 colour channels"), e.getMessage());
    }

    @Test
    void staleManifestHashIsNotTrusted(@TempDir Path root) throws Exception {
        DatasetManifest m = FashionScenes.builder().trainSize(3).valSize(0).build().write(root);
        Fixtures.writeLines(root.resolve("ImageSets/Segmentation/train.txt"), "train_000000", "train_000001");
        SegDataset two = VocLayout.open(root, Split.TRAIN);
        assertEquals(2, two.size());
        assertNotEquals(m.splits().get("train").contentHash(), two.contentHash());
    }
}
