package org.robustseg.data;

import static org.junit.jupiter.api.Assertions.*;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CityscapesLayoutTest {
    private static void writeSample(Path root, String city, String stem, int[] labelIds, int h, int w) throws Exception {
        Fixtures.writePng(root.resolve("leftImg8bit/val/" + city + "/" + stem + "_leftImg8bit.png"), Fixtures.pattern(h, w));
        Fixtures.writeGrayPng(root.resolve("gtFine/val/" + city + "/" + stem + "_gtFine_labelIds.png"), h, w, labelIds);
    }

    @Test
    void labelIdsAreMappedToTrainIds(@TempDir Path root) throws Exception {
        int[] ids = {7, 26, 0, 33, 8, 24, 1, 255, 11, 23, 31, 6};
        writeSample(root, "zurich", "zurich_000000_000019", ids, 3, 4);
        writeSample(root, "aachen", "aachen_000001_000019", new int[] {7, 7, 7, 7}, 2, 2);

        SegDataset val = CityscapesLayout.open(root, Split.VAL);
        assertEquals(2, val.size());
        assertEquals("cityscapes/val", val.name());
        assertEquals(19, val.classes().size());
        assertEquals("road", val.classes().names().get(0));
        assertEquals("bicycle", val.classes().names().get(18));
        assertEquals(0x804080, val.classes().palette()[0]);
        assertEquals("aachen_000001_000019", val.get(0).id(), "sorted by city");
        SegSample s = val.get(1);
        assertEquals("zurich_000000_000019", s.id());
        assertArrayEquals(new int[] {0, 13, 255, 18, 1, 11, 255, 255, 2, 10, 16, 255}, s.labels());
        assertArrayEquals(new int[] {0, 0, 0, 0}, val.get(0).labels());
    }

    @Test
    void trainIdTableMatchesTheCityscapesDefinition() {
        int[] labelIds = {7, 8, 11, 12, 13, 17, 19, 20, 21, 22, 23, 24, 25, 26, 27, 28, 31, 32, 33};
        int mapped = 0;
        for (int id = -1; id < 300; id++) {
            int t = CityscapesLayout.trainId(id);
            int expected = java.util.Arrays.binarySearch(labelIds, id);
            assertEquals(expected >= 0 ? expected : 255, t, "labelId " + id);
            mapped += t != 255 ? 1 : 0;
        }
        assertEquals(19, mapped);
    }

    @Test
    void missingLabelFileAndEmptySplitAreNamed(@TempDir Path root) throws Exception {
        Fixtures.writePng(root.resolve("leftImg8bit/val/bonn/bonn_1_leftImg8bit.png"), Fixtures.pattern(2, 2));
        DataException e = assertThrows(DataException.class, () -> CityscapesLayout.open(root, Split.VAL));
        assertTrue(e.getMessage().startsWith(root.resolve("gtFine/val/bonn/bonn_1_gtFine_labelIds.png").toString()), e.getMessage());
        e = assertThrows(DataException.class, () -> CityscapesLayout.open(root, Split.TRAIN));
        assertTrue(e.getMessage().startsWith(root.resolve("leftImg8bit/train").toString()), e.getMessage());
        e = assertThrows(DataException.class, () -> CityscapesLayout.open(root.resolve("missing"), Split.TRAIN));
        assertEquals(root.resolve("missing") + ": data directory not found", e.getMessage());
    }
}
