// Runs after each example's build (invoker postBuildHookScript): what a user gets from `mvn install`, and that the
// example's own tests ran (none skipped).
import java.util.jar.JarFile

def fail = { String what -> throw new AssertionError(what) }
def repo = localRepositoryPath
def core = new File(repo, "io/slate/slate-core/${slateVersion}")
def jar = new File(core, "slate-core-${slateVersion}.jar")
[jar, new File(core, "slate-core-${slateVersion}-sources.jar"), new File(core, "slate-core-${slateVersion}-javadoc.jar"),
 new File(core, "slate-core-${slateVersion}.pom"),
 new File(repo, "io/slate/slate-bom/${slateVersion}/slate-bom-${slateVersion}.pom"),
 new File(repo, "io/slate/slate-parent/${slateVersion}/slate-parent-${slateVersion}.pom")].each {
    if (!it.isFile()) fail("not installed: ${it}")
}

def moduleName = new JarFile(jar).withCloseable { it.manifest.mainAttributes.getValue('Automatic-Module-Name') }
if (moduleName != 'io.slate.core') fail("slate-core's Automatic-Module-Name is ${moduleName}, not io.slate.core")

def docs = new JarFile(new File(core, "slate-core-${slateVersion}-javadoc.jar")).withCloseable { j -> j.entries().collect { it.name } }
if (!docs.contains('io/slate/launch/JvmOptions.html')) fail("the javadoc jar has no io/slate/launch/JvmOptions.html: ${docs.findAll { it.contains('JvmOptions') }}")
if (docs.any { it.contains('io/slate/internal/') }) fail('the javadoc jar documents io.slate.internal')

// the invoker passes this script's own directory as basedir: look at every example built so far
def built = new File(localRepositoryPath.parentFile, 'it').listFiles().findAll { new File(it, 'build.log').isFile() }
if (built.isEmpty()) fail('no example was built')
built.each { example ->
    def pom = new groovy.xml.XmlSlurper().parse(new File(example, 'pom.xml'))
    if (pom.properties.'slate.version'.text() != slateVersion) {
        fail("${example.name}/pom.xml uses Slate ${pom.properties.'slate.version'.text()}; this build is ${slateVersion}")
    }
    def log = new File(example, 'build.log').text
    def summary = (log =~ /Tests run: (\d+), Failures: (\d+), Errors: (\d+), Skipped: (\d+)\s*\n/).collect { it }
    if (summary.isEmpty()) fail("${example.name}: no test summary in build.log")
    def last = summary.last()
    if (last[1].toInteger() == 0 || last[4].toInteger() != 0) fail("${example.name}: ${last[0].trim()}")
    println "${example.name}: ${last[0].trim()}"
}
println "slate-core ${slateVersion} installed with sources, javadoc, the BOM and Automatic-Module-Name ${moduleName}"
return true
