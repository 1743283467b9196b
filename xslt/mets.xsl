<?xml version="1.0" encoding="UTF-8"?>
<!--
  METS document of a deposit package, made from one TEI master and the package's
  file inventory.

  The inventory is built by tei_tools/deposit_metadata.py and passed in as the parameter
  $inventory (a document node, through the saxonche API):

    <inventory>
      <file id="…" role="master|source|schema|stylesheet|derivative-html|…"
            path="edition/x.xml" mime="application/tei+xml" size="123" sha256="…"/>
    </inventory>

  Paths are relative to the bag's data/ folder; this METS file lies in
  data/metadata/, so each FLocat points one folder up, as a relative URL (percent-encoded).

  Sections: metsHdr (date, agents), dmdSec (the oai_dc record of dc.xsl, imported so
  that the fields are worked out in one place), amdSec (rightsMD, sourceMD: the
  header's own TEI), fileSec (one fileGrp per role, in the order of $role-order, labelled from $roles), structMap.
-->
<xsl:stylesheet version="3.0"
  xmlns:xsl="http://www.w3.org/1999/XSL/Transform"
  xmlns:xs="http://www.w3.org/2001/XMLSchema"
  xmlns:tei="http://www.tei-c.org/ns/1.0"
  xmlns:mets="http://www.loc.gov/METS/"
  xmlns:xlink="http://www.w3.org/1999/xlink"
  xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"
  xmlns:ed="urn:tei-tools:edition"
  xmlns:dep="urn:tei-tools:deposit"
  exclude-result-prefixes="xs tei ed dep">

  <xsl:import href="dc.xsl"/>

  <xsl:output method="xml" encoding="UTF-8" indent="yes"/>

  <xsl:param name="inventory" as="document-node()" required="yes"/>
  <!-- When the package claims to be made (SOURCE_DATE_EPOCH or revision date), xs:dateTime. -->
  <xsl:param name="created" as="xs:string" required="yes"/>
  <!-- The software that made the package, e.g. "tei-tools 0.1.0". -->
  <xsl:param name="agent" as="xs:string" required="yes"/>

  <!-- fileGrp order and labels; a role with no files gets no fileGrp. -->
  <xsl:variable name="roles" as="map(xs:string, xs:string)" select="map {
      'master': 'TEI master',
      'source': 'Source text',
      'schema': 'Schema (RELAX NG, Schematron)',
      'stylesheet': 'XSLT stylesheets and what they read (CSS, script, map data)',
      'derivative-html': 'Reading edition: HTML',
      'derivative-epub': 'Reading edition: EPUB 3',
      'derivative-text': 'Reading edition: plain text',
      'licence': 'Licence of the project (LICENSE)',
      'citation': 'How to cite (Citation File Format)',
      'documentation': 'Package documentation',
      'metadata': 'Descriptive metadata (Dublin Core)' }"/>
  <xsl:variable name="role-order" as="xs:string*" select="'master', 'source', 'schema', 'stylesheet',
      'derivative-html', 'derivative-epub', 'derivative-text', 'licence', 'citation', 'documentation', 'metadata'"/>

  <xsl:template match="/">
    <xsl:apply-templates select="tei:TEI" mode="mets"/>
  </xsl:template>

  <xsl:template match="tei:TEI" mode="mets">
    <!-- OBJID as dc:identifier and bag-info's External-Identifier: the edition's idno,
         else the file's stem (ed:identifier). -->
    <mets:mets OBJID="{ed:identifier(.)}" LABEL="{dep:label(.)}" TYPE="Text"
      xsi:schemaLocation="http://www.loc.gov/METS/ http://www.loc.gov/standards/mets/mets.xsd">
      <xsl:apply-templates select="." mode="mets-header"/>
      <mets:dmdSec ID="dmd-dc">
        <mets:mdWrap MDTYPE="DC" MIMETYPE="text/xml" LABEL="Dublin Core (oai_dc)">
          <mets:xmlData>
            <xsl:apply-templates select="." mode="dc"/>
          </mets:xmlData>
        </mets:mdWrap>
      </mets:dmdSec>
      <xsl:apply-templates select="tei:teiHeader/tei:fileDesc" mode="mets-amd"/>
      <mets:fileSec>
        <xsl:for-each select="$role-order[$inventory/inventory/file/@role = .]">
          <xsl:variable name="role" select="."/>
          <mets:fileGrp ID="grp-{$role}" USE="{$role}">
            <xsl:apply-templates select="$inventory/inventory/file[@role = $role]" mode="mets-file"/>
          </mets:fileGrp>
        </xsl:for-each>
      </mets:fileSec>
      <xsl:apply-templates select="." mode="mets-struct"/>
    </mets:mets>
  </xsl:template>

  <xsl:template match="tei:TEI" mode="mets-header">
    <mets:metsHdr CREATEDATE="{$created}">
      <mets:agent ROLE="CREATOR" TYPE="OTHER" OTHERTYPE="SOFTWARE">
        <mets:name><xsl:value-of select="$agent"/></mets:name>
      </mets:agent>
      <!-- The editors made the edition, not this METS document (METS's CREATOR): their
           role is named as METS allows for one outside its list. -->
      <xsl:for-each select="tei:teiHeader/tei:fileDesc/tei:titleStmt/tei:respStmt/(tei:persName | tei:orgName)">
        <mets:agent ROLE="OTHER" OTHERROLE="EDITOR OF THE EDITION" TYPE="{if (self::tei:persName) then 'INDIVIDUAL' else 'ORGANIZATION'}">
          <mets:name><xsl:value-of select="normalize-space(.)"/></mets:name>
          <xsl:for-each select="../tei:resp">
            <mets:note><xsl:value-of select="normalize-space(.)"/></mets:note>
          </xsl:for-each>
        </mets:agent>
      </xsl:for-each>
    </mets:metsHdr>
  </xsl:template>

  <!-- Rights and source as the header states them, in TEI. They are parts of a header,
       not a whole one (METS's MDTYPE "TEIHDR"), so the type is OTHER, named "TEI".
       METS requires rightsMD before sourceMD inside amdSec. -->
  <xsl:template match="tei:fileDesc" mode="mets-amd">
    <mets:amdSec ID="amd">
      <mets:rightsMD ID="amd-rights">
        <mets:mdWrap MDTYPE="OTHER" OTHERMDTYPE="TEI" MIMETYPE="application/tei+xml" LABEL="Licence (TEI availability)">
          <mets:xmlData>
            <xsl:copy-of select="tei:publicationStmt/tei:availability" copy-namespaces="no"/>
          </mets:xmlData>
        </mets:mdWrap>
      </mets:rightsMD>
      <mets:sourceMD ID="amd-source">
        <mets:mdWrap MDTYPE="OTHER" OTHERMDTYPE="TEI" MIMETYPE="application/tei+xml" LABEL="Source (TEI sourceDesc)">
          <mets:xmlData>
            <xsl:copy-of select="tei:sourceDesc" copy-namespaces="no"/>
          </mets:xmlData>
        </mets:mdWrap>
      </mets:sourceMD>
    </mets:amdSec>
  </xsl:template>

  <xsl:template match="file" mode="mets-file">
    <mets:file ID="{@id}" MIMETYPE="{@mime}" SIZE="{@size}" CHECKSUM="{@sha256}" CHECKSUMTYPE="SHA-256">
      <xsl:if test="@role = ('master', 'source')">
        <xsl:attribute name="ADMID" select="'amd-rights amd-source'"/>
      </xsl:if>
      <!-- A URL: each path segment percent-encoded (a space, a non-ASCII letter, '#'), the
           slashes between them kept. -->
      <mets:FLocat LOCTYPE="URL" xlink:type="simple"
        xlink:href="../{string-join(tokenize(@path, '/') ! encode-for-uri(.), '/')}"/>
    </mets:file>
  </xsl:template>

  <!-- The title, with the edition's version when the header gives one ("… (version 1.1)"):
       a package of a revised edition is told apart from that of the first by its label. -->
  <xsl:function name="dep:label" as="xs:string">
    <xsl:param name="doc" as="node()"/>
    <xsl:sequence select="string-join((dep:full-title($doc), ed:edition-version($doc) ! ('(version ' || . || ')')), ' ')"/>
  </xsl:function>

  <!-- One div for the edition, one child div per role, one fptr per file. -->
  <xsl:template match="tei:TEI" mode="mets-struct">
    <mets:structMap TYPE="physical" LABEL="Deposit package">
      <mets:div TYPE="edition" LABEL="{dep:label(.)}"
        DMDID="dmd-dc" ADMID="amd-rights amd-source">
        <xsl:for-each select="$role-order[$inventory/inventory/file/@role = .]">
          <xsl:variable name="role" select="."/>
          <mets:div TYPE="{$role}" LABEL="{$roles($role)}">
            <xsl:for-each select="$inventory/inventory/file[@role = $role]">
              <mets:fptr FILEID="{@id}"/>
            </xsl:for-each>
          </mets:div>
        </xsl:for-each>
      </mets:div>
    </mets:structMap>
  </xsl:template>
</xsl:stylesheet>
