package org.robustseg.app;

import picocli.CommandLine.Command;

/** {@code ./run bench ...}: benchmarks that print figures (never pass/fail on time). */
@Command(name = "bench", mixinStandardHelpOptions = true, description = "Benchmarks: speed and memory figures.",
        subcommands = {AttackStepBench.class, RecipeStepBench.class, TrainMemoryBench.class})
final class BenchCommand {}
