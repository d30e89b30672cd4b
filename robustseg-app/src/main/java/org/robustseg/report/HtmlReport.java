package org.robustseg.report;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Base64;
import java.util.List;
import org.robustseg.io.AtomicFiles;

/**
 * A self-contained HTML report: sections with headings, plain-language text, tables and
 * images embedded as {@code data:} URIs, so the single file can be mailed or archived and opens
 * without network access. Text is escaped; only the builder's own markup is emitted.
 */
public final class HtmlReport {
    private final StringBuilder body = new StringBuilder();
    private final String title;

    public HtmlReport(String title) {
        this.title = title;
    }

    /** Starts a section; {@code id} becomes the anchor (tests look sections up by it). */
    public HtmlReport section(String id, String heading) {
        body.append("<section id=\"").append(escape(id)).append("\">\n<h2>").append(escape(heading)).append("</h2>\n");
        return this;
    }

    public HtmlReport endSection() {
        body.append("</section>\n");
        return this;
    }

    public HtmlReport paragraph(String text) {
        body.append("<p>").append(escape(text)).append("</p>\n");
        return this;
    }

    /** A table; the first row is the header. */
    public HtmlReport table(List<String> header, List<List<String>> rows) {
        body.append("<table>\n<tr>");
        header.forEach(h -> body.append("<th>").append(escape(h)).append("</th>"));
        body.append("</tr>\n");
        for (List<String> row : rows) {
            body.append("<tr>");
            row.forEach(c -> body.append("<td>").append(escape(c)).append("</td>"));
            body.append("</tr>\n");
        }
        body.append("</table>\n");
        return this;
    }

    /** A PNG file embedded as a data URI, with a caption. */
    public HtmlReport image(Path png, String caption) {
        try {
           return image(Files.readAllBytes(png), caption);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read image " + png + " for the report: " + e.getMessage(), e);
        }
    }

    public HtmlReport image(byte[] png, String caption) {
        body.append("<figure><img alt=\"").append(escape(caption)).append("\" src=\"data:image/png;base64,")
                .append(Base64.getEncoder().encodeToString(png)).append("\"><figcaption>").append(escape(caption))
                .append("</figcaption></figure>\n");
        return this;
    }

    /** Preformatted text, e.g. provenance JSON. */
    HtmlReport pre(String text) {
        body.append("<pre>").append(escape(text)).append("</pre>\n");
        return this;
    }

    /** Collapsible preformatted text. */
    public HtmlReport details(String summary, String text) {
        body.append("<details><summary>").append(escape(summary)).append("</summary><pre>").append(escape(text))
                .append("</pre></details>\n");
        return this;
    }

    String html() {
        return "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>" + escape(title) + "</title>\n<style>\n"
                + "body{font-family:system-ui,sans-serif;max-width:1100px;margin:2em auto;padding:0 1em;color:#222;line-height:1.45}\n"
                + "table{border-collapse:collapse;margin:1em 0}td,th{border:1px solid #bbb;padding:4px 8px;text-align:right}\n"
                + "th{background:#eee}td:first-child,th:first-child{text-align:left}\n"
                + "img{max-width:100%;image-rendering:pixelated;border:1px solid #ccc}figure{margin:1em 0}\n"
                + "figcaption{font-size:0.9em;color:#555}pre{background:#f6f6f6;padding:8px;overflow-x:auto;font-size:0.8em}\n"
                + "section{margin-bottom:2.5em}\n</style></head><body>\n<h1>" + escape(title) + "</h1>\n" + body + "</body></html>\n";
    }

    public void write(Path file) {
        AtomicFiles.writeString(file, html());
    }

    static String escape(String s) {
        StringBuilder b = new StringBuilder(s.length());
        for (char c : s.toCharArray()) {
            switch (c) {
                case '<' -> b.append("&lt;");
                case '>' -> b.append("&gt;");
                case '&' -> b.append("&amp;");
                case '"' -> b.append("&quot;");
                default -> b.append(c);
            }
        }
        return b.toString();
    }
}
