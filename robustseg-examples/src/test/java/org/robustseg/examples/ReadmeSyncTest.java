package org.robustseg.examples;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * The README's Java blocks are the examples' tagged regions, verbatim: every region between
 * {@code // tag::NAME[]} and {@code // end::NAME[]} in this module's sources appears in the README
 * as a {@code ```java} block of its own (with the region's common indentation removed), and every
 * {@code ```java} block of the README is such a region. Editing either side alone fails here.
 */
class ReadmeSyncTest {
    /** Tests run in the module's directory; the README is the repository's. */
    static final Path README = Path.of("..", "README.md");
    static final Path SOURCES = Path.of("src", "main", "java", "org", "robustseg", "examples");
    private static final Pattern TAG = Pattern.compile("(?m)^[ \\t]*// tag::([a-z-]+)\\[\\]\\n(.*?)^[ \\t]*// end::\\1\\[\\]$", Pattern.DOTALL);
    private static final Pattern JAVA_BLOCK = Pattern.compile("(?m)^```java\\n(.*?)^```$", Pattern.DOTALL);

    /** Tagged regions of all example sources, by tag, de-indented. */
    static Map<String, String> regions() throws IOException {
        Map<String, String> out = new LinkedHashMap<>();
        try (Stream<Path> files = Files.list(SOURCES)) {
            for (Path f : files.filter(p -> p.toString().endsWith(".java")).sorted().toList()) {
                Matcher m = TAG.matcher(Files.readString(f));
                while (m.find()) {
                    String previous = out.put(m.group(1), dedent(m.group(2)));
                    assertEquals(null, previous, "tag " + m.group(1) + " used twice");
                }
            }
        }
        return out;
    }

    /** The lines with their common leading spaces removed (blank lines kept empty). */
    static String dedent(String block) {
        String[] lines = block.split("\n", -1);
        int indent = Integer.MAX_VALUE;
        for (String l : lines) {
            if (!l.isBlank()) {
                indent = Math.min(indent, l.length() - l.stripLeading().length());
            }
        }
        StringBuilder sb = new StringBuilder();
        for (String l : lines) {
            sb.append(l.isBlank() ? "" : l.substring(indent)).append('\n');
        }
        return sb.toString().replaceAll("\\n+$", "\n");
    }

    static List<String> readmeJavaBlocks() throws IOException {
        List<String> out = new ArrayList<>();
        Matcher m = JAVA_BLOCK.matcher(Files.readString(README));
        while (m.find()) {
            out.add(m.group(1));
        }
        return out;
    }

    @Test
    void everyTaggedRegionIsAReadmeBlock() throws IOException {
        Map<String, String> regions = regions();
        assertFalse(regions.isEmpty(), "no tagged regions found under " + SOURCES.toAbsolutePath());
        List<String> blocks = readmeJavaBlocks();
        for (Map.Entry<String, String> r : regions.entrySet()) {
            assertTrue(blocks.contains(r.getValue()), "README.md has no ```java block equal to the region '" + r.getKey()
                    + "' of the examples; paste it from the source:\n" + r.getValue());
        }
    }

    @Test
    void everyReadmeBlockIsATaggedRegion() throws IOException {
        List<String> regions = new ArrayList<>(regions().values());
        for (String block : readmeJavaBlocks()) {
            assertTrue(regions.contains(block), "this ```java block of README.md is not a tagged region of robustseg-examples "
                    + "(put it in an example so that it is compiled and run):\n" + block);
        }
    }
}
