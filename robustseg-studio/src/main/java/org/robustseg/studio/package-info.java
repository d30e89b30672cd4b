/**
 * robustseg studio ({@code ./run studio}): a local web page to paint a hole or a label layout,
 * edit an object, attack an image or map its saliency, and watch standard and robust models do it
 * side by side with live progress. A client of the same core API as the CLI: it adds transport
 * (HTTP, server-sent events) and a page, never an optimisation of its own. This package starts it
 * ({@link org.robustseg.studio.StudioCommand}); {@code workspace}, {@code jobs} and {@code server}
 * hold the parts (the load test is a benchmark: {@code ./run bench studio-load}).
 */
package org.robustseg.studio;
