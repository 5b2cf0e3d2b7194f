#!/usr/bin/env bash
# test.sh BUILD_DIR: the Java binding's CI step (called by scripts/test.sh). BUILD_DIR is a CMake
# build tree that already holds libvmengine.so. Three parts, a few minutes in all:
#   1. mvn -B verify -Dvmengine.build.dir=BUILD_DIR: SWIG, the JNI library, the jar carrying both
#      native libraries, the JUnit 5 tests (the README quickstart verbatim on the real capture
#      included), the javadoc jar (doclint, warnings fail) and the sources jar;
#   2. the jar alone: `java -cp <the jar>` of a tiny program, with no -Djava.library.path and no
#      LD_LIBRARY_PATH; it checks that the libraries came out of the jar; then the same with the
#      jar on the module path;
#   3. a fresh Maven project outside the repository: the jar is installed into the default local
#      repository under a unique version (removed afterwards), a new pom gets the README's
#      dependency lines, examples/Quickstart.java is its source, and `mvn compile exec:java`
#      runs it on the capture.
# Maven Central provides JUnit and the plugins on the first run (set VME_MAVEN_REPO_LOCAL to use
# another local repository). Exits non-zero on failure.
# Needs: cmake, swig, cc (scripts/setup.sh), a JDK >= 17 and Maven.
set -euo pipefail
if [ $# -ne 1 ]; then
  echo "usage: $0 BUILD_DIR" >&2
  exit 2
fi
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
build_dir=$(cd "$1" && pwd)
capture="$root/examples/data/node_exporter_1s_1200.prom.zst"
repo_local=${VME_MAVEN_REPO_LOCAL:-$HOME/.m2/repository}
mvn_common=(-B -ntp -q -Dstyle.color=never)
if [ -n "${VME_MAVEN_REPO_LOCAL:-}" ]; then mvn_common+=("-Dmaven.repo.local=$VME_MAVEN_REPO_LOCAL"); fi
# Maven with the common flags; the colour codes it may still print are dropped.
mvnq() { mvn "${mvn_common[@]}" "$@" 2>&1 | sed 's/\x1b\[[0-9;]*m//g'; }
# Nothing below may rely on these.
unset LD_LIBRARY_PATH JAVA_TOOL_OPTIONS _JAVA_OPTIONS

tmp=$(mktemp -d "${TMPDIR:-/tmp}/vme-java-test.XXXXXX")
installed=""
cleanup() {
  rm -rf "$tmp"
  if [ -n "$installed" ]; then
    rm -rf "$installed"
    # Forget the test version in the local repository's index of org.vmengine:vmengine.
    meta="$(dirname "$installed")/maven-metadata-local.xml"
    if [ -f "$meta" ]; then
      sed -i "\:>$(basename "$installed")<:d" "$meta"
      if ! grep -q '<version>' "$meta"; then rm -f "$meta"; fi
    fi
  fi
}
trap cleanup EXIT

# 1. Build, test, javadoc, sources.
echo "bindings/java: mvn verify (BUILD_DIR=$build_dir)"
status=0
mvnq -f "$here/pom.xml" "-Dvmengine.build.dir=$build_dir" verify || status=$?
# One summary line from the Surefire reports ("N passed, N failed, N skipped").
awk '/<testsuite / {
       for (i = 1; i <= NF; i++) {
         if ($i ~ /^tests=/) { gsub(/[^0-9]/, "", $i); t += $i }
         if ($i ~ /^failures=/) { gsub(/[^0-9]/, "", $i); f += $i }
         if ($i ~ /^errors=/) { gsub(/[^0-9]/, "", $i); f += $i }
         if ($i ~ /^skipped=/) { gsub(/[^0-9]/, "", $i); s += $i }
       }
     }
     END { printf "java: %d passed, %d failed, %d skipped\n", t - f - s, f, s }' \
  "$here"/target/surefire-reports/TEST-*.xml 2>/dev/null || true
if [ "$status" != 0 ]; then exit "$status"; fi

# The artifact's <version>, the line after <artifactId>vmengine</artifactId>.
version=$(awk '/<artifactId>vmengine<\/artifactId>/ {getline; gsub(/ *<\/?version> */, ""); print; exit}' \
  "$here/pom.xml")
jar="$here/target/vmengine-$version.jar"
for f in "$jar" "$here/target/vmengine-$version-sources.jar" "$here/target/vmengine-$version-javadoc.jar"; do
  if [ ! -s "$f" ]; then
    echo "bindings/java: $f is missing" >&2
    exit 1
  fi
done
if ! jar --describe-module --file "$jar" | grep -q '^org.vmengine@'; then
  echo "bindings/java: $jar has no Automatic-Module-Name org.vmengine" >&2
  exit 1
fi

# 2. The jar alone.
cat >"$tmp/JarCheck.java" <<'JAVA'
import java.nio.file.Path;
import org.vmengine.*;

public class JarCheck {
  public static void main(String[] args) {
    String source = VmEngine.nativeLibrarySource();
    System.out.println("libvmengine " + VmEngine.version() + " from " + source);
    if (!source.startsWith("jar:")) throw new AssertionError("not loaded from the jar: " + source);
    try (Db db = VmEngine.open(Path.of(args[0]))) {
      long now = System.currentTimeMillis();
      db.batch().add(Labels.metric("up", "job", "jar"), now, 1).commit();
      db.flush();
      if (db.searchAll(Query.selector("up{job=\"jar\"}")).size() != 1) throw new AssertionError();
    }
  }
}
JAVA
echo "bindings/java: java -cp $(basename "$jar") JarCheck.java (no java.library.path, no LD_LIBRARY_PATH)"
java -cp "$jar" "$tmp/JarCheck.java" "$tmp/jar-db"
echo "bindings/java: the same on the module path (automatic module org.vmengine)"
java --module-path "$jar" --add-modules org.vmengine "$tmp/JarCheck.java" "$tmp/jar-db-module"

# 3. A fresh project outside the repository, with the README's dependency lines.
test_version="$version-test-$(basename "$tmp" | tr -dc 'A-Za-z0-9')"
installed="$repo_local/org/vmengine/vmengine/$test_version"
mvnq org.apache.maven.plugins:maven-install-plugin:3.1.2:install-file \
  "-Dfile=$jar" -DgroupId=org.vmengine -DartifactId=vmengine "-Dversion=$test_version" \
  -Dpackaging=jar -DgeneratePom=true
dependency=$(awk '/<!-- dependency -->/ {f = 1; next} f && /^```xml/ {p = 1; next} p && /^```/ {exit} p' \
  "$here/README.md" | sed "s:<version>$version</version>:<version>$test_version</version>:")
if ! grep -q "<version>$test_version</version>" <<<"$dependency"; then
  echo "bindings/java: README.md has no \`\`\`xml dependency block for version $version" \
    "after <!-- dependency -->" >&2
  exit 1
fi
app="$tmp/app"
mkdir -p "$app/src/main/java"
cp "$here/examples/Quickstart.java" "$app/src/main/java/"
cat >"$app/pom.xml" <<POM
<?xml version="1.0" encoding="UTF-8"?>
<project xmlns="http://maven.apache.org/POM/4.0.0">
  <modelVersion>4.0.0</modelVersion>
  <groupId>example</groupId>
  <artifactId>app</artifactId>
  <version>1.0</version>
  <properties>
    <project.build.sourceEncoding>UTF-8</project.build.sourceEncoding>
    <maven.compiler.release>17</maven.compiler.release>
  </properties>
  <dependencies>
$dependency
  </dependencies>
  <build>
    <plugins>
      <plugin>
        <groupId>org.apache.maven.plugins</groupId>
        <artifactId>maven-compiler-plugin</artifactId>
        <version>3.13.0</version>
      </plugin>
      <plugin>
        <groupId>org.apache.maven.plugins</groupId>
        <artifactId>maven-resources-plugin</artifactId>
        <version>3.3.1</version>
      </plugin>
    </plugins>
  </build>
</project>
POM
echo "bindings/java: fresh project $app: mvn compile exec:java (Quickstart on the capture)"
(cd "$app" && mvnq compile org.codehaus.mojo:exec-maven-plugin:3.5.0:java \
  -Dexec.mainClass=Quickstart "-Dexec.args=$capture $tmp/app-db") | tee "$tmp/app.out"
grep -q '^imported 608400 samples' "$tmp/app.out"
grep -q '^series: 507$' "$tmp/app.out"
echo "bindings/java: tests passed"
