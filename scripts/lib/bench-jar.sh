# Sourced by the bench scripts: makes sure bench/target/benchmarks.jar is there and newer than the sources (a reactor
# build, no install), and puts the JVM flags Chronicle needs (their one place: the parent pom, via io.slate.launch.JvmOptions) in the
# array "flags" for the scripts that start the jar with -cp (a jar manifest's Add-Opens apply only with -jar).
#   usage: source scripts/lib/bench-jar.sh <script name>   (from the repository root)
jar="bench/target/benchmarks.jar"
stale=""
if [[ ! -f "$jar" ]]; then
    stale="missing"
elif [[ -n "$(find pom.xml core/pom.xml etcd/pom.xml bench/pom.xml core/src etcd/src bench/src -newer "$jar" -type f -print -quit 2>/dev/null)" ]]; then
    stale="older than the sources"
fi
if [[ -n "$stale" ]]; then
    echo "$1: $jar is $stale; building" >&2
    mvn -q -B -pl bench -am package -DskipTests
fi
mapfile -t flags < <(java -cp "$jar" io.slate.launch.JvmOptions)
