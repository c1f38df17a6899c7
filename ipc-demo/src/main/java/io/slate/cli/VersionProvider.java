package io.slate.cli;

import picocli.CommandLine;

import java.io.IOException;
import java.io.InputStream;
import java.util.Properties;

/** The version {@code --version} prints, from the Maven descriptor packaged into the jar. */
final class VersionProvider implements CommandLine.IVersionProvider {
    @Override
    public String[] getVersion() {
        final String cli = version("slate-ipc-demo");
        final String core = version("slate-core");
        return new String[] {
            "slate " + (cli != null ? cli : core != null ? core : "(development build)"),
            "Java " + System.getProperty("java.version") + " (" + System.getProperty("java.vm.name") + ")",
        };
    }

    private static String version(final String artifactId) {
        final String resource = "/META-INF/maven/io.slate/" + artifactId + "/pom.properties";
        try (InputStream in = VersionProvider.class.getResourceAsStream(resource)) {
            if (in == null) {
                return null;
            }
            final Properties p = new Properties();
            p.load(in);
            return p.getProperty("version");
        } catch (IOException e) {
            return null;
        }
    }
}
