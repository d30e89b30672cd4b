package org.robustseg.cli.options;

import java.nio.file.Files;
import java.nio.file.Path;
import org.robustseg.cli.ConsoleProgress;
import org.robustseg.data.DataSets;
import org.robustseg.data.SegDataset;
import org.robustseg.data.Split;
import org.robustseg.provenance.Provenance;
import org.robustseg.synth.ColourStatistics;
import picocli.CommandLine.Option;

/** {@code --statistics FILE}: the per-class colour statistics generation draws its seeds from. */
public final class ColourStatisticsSource {
    @Option(names = "--statistics",
            description = "Colour statistics JSON (default: fitted on --data's train split, written to OUT/colour-statistics.json).")
    Path statistics;

    /** The --statistics file (null: not given). */
    public Path file() {
        return statistics;
    }

    /**
     * The colour statistics: read from --statistics when given, else fitted on the train split of
     * {@code data} and written to {@code out}/colour-statistics.json with provenance (reused from
     * there when it was fitted on the same data).
     */
    public ColourStatistics load(Path data, Path out) {
        return load(statistics, data, out);
    }

    /** The colour statistics from {@code file} when not null, else fitted on {@code data}'s train split (see {@link #load(Path, Path)}). */
    public static ColourStatistics load(Path file, Path data, Path out) {
        if (file != null) {
            return ColourStatistics.read(file);
        }
        if (data == null) {
            throw new IllegalArgumentException("generation needs --statistics FILE or --data DIR (its train split is fitted)");
        }
        SegDataset train = DataSets.open(data, Split.TRAIN);
        Path cached = out.resolve("colour-statistics.json");
        if (Files.exists(cached)) {
            ColourStatistics s = ColourStatistics.read(cached);
            if (s.contentHash().equals(train.contentHash())) {
                return s;
            }
        }
        ColourStatistics s = ColourStatistics.fit(train, ConsoleProgress.stderr());
        s.write(cached, Provenance.of("colour-statistics").dataset("fit", train.name(), train.size(), train.contentHash()).toJson());
        return s;
    }
}
