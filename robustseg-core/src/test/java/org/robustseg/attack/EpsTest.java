package org.robustseg.attack;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

class EpsTest {
    @Test
    void fractionsAndDecimals() {
        List<Float> e = Eps.parse("0, 2/255,8/255 ,0.03", Norm.LINF);
        assertEquals(List.of(0f, (float) (2 / 255.0), (float) (8 / 255.0), 0.03f), e);
        assertEquals(List.of(3f), Eps.parse("3", Norm.L2));
    }

    @Test
    void badBudgetsNameTheOptionAndToken() {
        assertTrue(assertThrows(IllegalArgumentException.class, () -> Eps.parse("-1/255", Norm.LINF)).getMessage().contains("-1/255"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> Eps.parse("1.5", Norm.LINF)).getMessage().contains("--eps"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> Eps.parse("8/0x", Norm.LINF)).getMessage().contains("8/0x"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> Eps.parse("1/0", Norm.L2)).getMessage().contains("1/0"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> Eps.parse(" , ", Norm.LINF)).getMessage().contains("--eps"));
    }
}
