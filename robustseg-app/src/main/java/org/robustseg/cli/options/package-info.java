/**
 * Option groups that several commands share, as picocli {@code @Mixin}s: each option is declared
 * once, with one name, help text and default, so commands cannot drift apart. Defaults of the
 * synthesis options are the core presets' constants ({@link org.robustseg.synth.Inpainting},
 * {@link org.robustseg.synth.Generation}), not retyped numbers. Also the parsing of option values
 * that several commands accept (class names, boxes).
 */
package org.robustseg.cli.options;
