package org.robustseg.report;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.node.DoubleNode;
import com.fasterxml.jackson.databind.node.MissingNode;
import com.fasterxml.jackson.databind.node.TextNode;
import org.junit.jupiter.api.Test;

/** The digits every table and the report print (the demo's report must not move a number). */
public class FormatTest {
    @Test
    void fixedDecimalsAndPlaceholders() {
        assertEquals("0.123", Format.fixed(0.12345, 3));
        assertEquals("0.1235", Format.fixed(DoubleNode.valueOf(0.12345), 4));
        assertEquals("n/a", Format.fixed(MissingNode.getInstance(), 3));
        assertEquals("–", Format.fixed(TextNode.valueOf("inf"), 2, Format.DASH));
        assertEquals("42 s", Format.seconds(41.6));
        assertEquals("8.00/255", Format.budget255(8 / 255.0));
    }
}
