package org.robustseg.cli;

import org.robustseg.provenance.Provenance;
import picocli.CommandLine;

/** Prints the library version and the commit the tool was built from. */
public final class VersionProvider implements CommandLine.IVersionProvider {
    @Override
    public String[] getVersion() {
        return new String[] {"robustseg " + Provenance.toolVersion() + " (commit " + System.getProperty("robustseg.commit", "unknown") + ")"};
    }
}
