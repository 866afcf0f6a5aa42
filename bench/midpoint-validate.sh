#!/usr/bin/env bash
# Validates a rolemill midPoint export (OUT/export/midpoint/roles.xml) against midPoint's
# published XML schema with xmllint (libxml2-utils).
#
#   bench/midpoint-validate.sh ROLES_XML XSD_DIR
#
# Exit status: 2 for a usage error or a missing schema file; otherwise xmllint's: 0 valid, 3 invalid
# (the errors on stderr), 5 the schema set failed to compile, 1 ROLES_XML not well-formed.
#
# Checked with midPoint Evolveum/midpoint 41c706f0f96859b7756128b3057a609058dc10ab and prism
# Evolveum/prism 67c1c669ed7bce7037e8ed762007eda9d266e270 (both 4.11-SNAPSHOT, master of
# 2026-08-22), libxml 2.9.14: the sample of `generate --identities 300 --seed 2 --governance`
# mined with `--export midpoint` (197 roles) validates.
#
# Preparing XSD_DIR: the XSDs of midPoint's schema module and prism's three base schemas, with
# their paths under the resource folders kept, midPoint's under midpoint/ and prism's under prism/:
#
#   MP=midpoint.git PR=prism.git XSD_DIR=/tmp/mp-xsd   # clones of the two repositories
#   git clone --bare https://github.com/Evolveum/midpoint "$MP"
#   git clone --bare https://github.com/Evolveum/prism "$PR"
#   MPC=41c706f0f96859b7756128b3057a609058dc10ab PRC=67c1c669ed7bce7037e8ed762007eda9d266e270
#   extract() { # GIT_DIR COMMIT PREFIX DEST
#     git --git-dir="$1" ls-tree -r "$2" --name-only | grep "^$3xml/ns/public/.*\.xsd\$" | while read -r f; do
#       mkdir -p "$4/$(dirname "${f#"$3"}")"; git --git-dir="$1" show "$2:$f" > "$4/${f#"$3"}"; done; }
#   extract "$MP" "$MPC" infra/schema/src/main/resources/ "$XSD_DIR/midpoint"
#   extract "$PR" "$PRC" infra/prism-impl/src/main/resources/ "$XSD_DIR/prism"
#
# giving XSD_DIR/midpoint/xml/ns/public/common/common-3.xsd (which includes common-core-3.xsd and
# the other common-*-3.xsd) and XSD_DIR/prism/xml/ns/public/{annotation,types,query}-3.xsd.
# (In a newer prism the files may have moved: `git ls-tree -r HEAD --name-only | grep types-3.xsd`.)
#
# How the schema set is made to load (this script writes both files to a temporary folder and
# leaves XSD_DIR as it is):
# - midPoint's xsd:import and xsd:include give schemaLocation as the namespace-like URI
#   (schemaLocation="http://midpoint.evolveum.com/xml/ns/public/common/common-core-3"), which
#   midPoint resolves through its catalogs (infra/schema/src/main/resources/META-INF/
#   schemas-in-this-module.xml, catalog-runtime.xml). libxml2 resolves a schemaLocation as a
#   system ID, so the catalog here maps each such URI to its file: a midPoint URI
#   http://midpoint.evolveum.com/X to midpoint/X.xsd (model/scripting-3 to
#   model/scripting/scripting-3.xsd), a prism URI to prism/xml/ns/public/<last segment>.xsd.
# - Some schemas import a namespace with no schemaLocation (model/scripting-3 and
#   resource/capabilities-3, whose types common-3 uses); midPoint resolves those by public ID,
#   libxml2 does not load them, and common-3 then fails to compile ("does not resolve to a(n) type
#   definition"). A wrapper schema imports them next to common-3 and is the one given to --schema.
# - The root `<c:objects>` (ninja's wrapper, NinjaUtils.XML_OBJECTS_PREFIX) is declared in
#   common-core-3.xsd (a sequence of c:object); c:role is in c:object's substitution group, so
#   the whole file validates as it is, with no need to split it per object.
set -euo pipefail

if [ $# -ne 2 ]; then
  echo "usage: $0 ROLES_XML XSD_DIR" >&2
  exit 2
fi
roles=$1
xsd=$(cd "$2" && pwd)
if [ ! -f "$roles" ]; then echo "$0: no file $roles" >&2; exit 2; fi
for f in midpoint/xml/ns/public/common/common-3.xsd midpoint/xml/ns/public/common/common-core-3.xsd \
  prism/xml/ns/public/types-3.xsd prism/xml/ns/public/query-3.xsd prism/xml/ns/public/annotation-3.xsd; do
  if [ ! -f "$xsd/$f" ]; then echo "$0: $xsd/$f missing (see this script's header to prepare XSD_DIR)" >&2; exit 2; fi
done
command -v xmllint >/dev/null || { echo "$0: xmllint not found (apt-get install -y libxml2-utils)" >&2; exit 2; }

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

MP=http://midpoint.evolveum.com
PR=http://prism.evolveum.com/xml/ns/public
{
  echo '<?xml version="1.0" encoding="UTF-8"?>'
  echo '<catalog xmlns="urn:oasis:names:tc:entity:xmlns:xml:catalog" prefer="public">'
  # Every schemaLocation the schemas use, plus capabilities-3 for the wrapper.
  { grep -rhoE 'schemaLocation="[^"]*"' "$xsd/midpoint" "$xsd/prism" | cut -d'"' -f2
    echo "$MP/xml/ns/public/resource/capabilities-3"; } | sort -u | while read -r loc; do
    case $loc in
      "$PR"/*) file=prism/xml/ns/public/${loc##*/}.xsd ;;
      "$MP/xml/ns/public/model/scripting-3") file=midpoint/xml/ns/public/model/scripting/scripting-3.xsd ;;
      "$MP"/*) file=midpoint/${loc#"$MP"/}.xsd ;;
      *) echo "$0: no rule for schemaLocation $loc" >&2; exit 2 ;;
    esac
    if [ ! -f "$xsd/$file" ]; then echo "$0: $loc: $xsd/$file missing" >&2; exit 2; fi
    echo "  <system systemId=\"$loc\" uri=\"file://$xsd/$file\"/>"
  done
  echo '</catalog>'
} > "$tmp/catalog.xml"

cat > "$tmp/midpoint.xsd" <<EOF
<?xml version="1.0" encoding="UTF-8"?>
<xsd:schema xmlns:xsd="http://www.w3.org/2001/XMLSchema">
    <xsd:import namespace="$MP/xml/ns/public/common/common-3" schemaLocation="$MP/xml/ns/public/common/common-3"/>
    <xsd:import namespace="$MP/xml/ns/public/model/scripting-3" schemaLocation="$MP/xml/ns/public/model/scripting-3"/>
    <xsd:import namespace="$MP/xml/ns/public/resource/capabilities-3" schemaLocation="$MP/xml/ns/public/resource/capabilities-3"/>
</xsd:schema>
EOF

# --nonet: every schema must come from XSD_DIR through the catalog, never from the network.
XML_CATALOG_FILES="$tmp/catalog.xml" xmllint --nonet --noout --schema "$tmp/midpoint.xsd" "$roles"
