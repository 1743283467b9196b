<?xml version="1.0" encoding="UTF-8"?>
<!--
  Dublin Core (oai_dc) record of one TEI master, read from its teiHeader only.

  Used on its own for data/metadata/dc.xml of a deposit package, and imported by
  mets.xsl, which places the same record in its dmdSec (mode "dc", so no field is
  worked out twice). What each field is read from is listed in docs/depositing.md.

  The header fields are read through the shared functions of common.xsl (ed:…), so
  the deposit metadata says what the reading editions say. Only what the header
  states is written: the author of the original article is not
  known, so there is no dc:creator; the editors are contributors.
-->
<xsl:stylesheet version="3.0"
  xmlns:xsl="http://www.w3.org/1999/XSL/Transform"
  xmlns:xs="http://www.w3.org/2001/XMLSchema"
  xmlns:tei="http://www.tei-c.org/ns/1.0"
  xmlns:oai_dc="http://www.openarchives.org/OAI/2.0/oai_dc/"
  xmlns:dc="http://purl.org/dc/elements/1.1/"
  xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"
  xmlns:ed="urn:tei-tools:edition"
  xmlns:dep="urn:tei-tools:deposit"
  exclude-result-prefixes="xs tei ed dep">

  <xsl:import href="common.xsl"/>

  <xsl:output method="xml" encoding="UTF-8" indent="yes"/>

  <!-- The MIME type of the master file, stated in dc:format. -->
  <xsl:variable name="dep:tei-mime" as="xs:string" select="'application/tei+xml'"/>

  <xsl:template match="/">
    <xsl:apply-templates select="tei:TEI" mode="dc"/>
  </xsl:template>

  <xsl:template match="tei:TEI" mode="dc">
    <oai_dc:dc xsi:schemaLocation="http://www.openarchives.org/OAI/2.0/oai_dc/ http://www.openarchives.org/OAI/2.0/oai_dc.xsd">
      <dc:title><xsl:value-of select="dep:full-title(.)"/></dc:title>
      <xsl:for-each select="ed:editor-names(.)">
        <dc:contributor><xsl:value-of select="."/></dc:contributor>
      </xsl:for-each>
      <xsl:for-each select="ed:keywords(.)">
        <dc:subject><xsl:value-of select="."/></dc:subject>
      </xsl:for-each>
      <xsl:for-each select="tei:teiHeader/tei:encodingDesc/tei:projectDesc[normalize-space()]">
        <dc:description><xsl:value-of select="normalize-space(.)"/></dc:description>
      </xsl:for-each>
      <xsl:for-each select="ed:source-status(.)">
        <dc:description><xsl:value-of select="'Source: ' || ."/></dc:description>
      </xsl:for-each>
      <!-- The edition and its version, which a citation names (a revision may change the
           text under the same identifier). oai_dc has only the fifteen elements of Simple
           Dublin Core, none of them for a version (dcterms:hasVersion would name another
           resource, a version of this one, and is not allowed in oai_dc), so it is a
           description. tei_tools/deposit_metadata.py finds it by its "Edition: ". -->
      <xsl:for-each select="dep:edition(.)">
        <dc:description><xsl:value-of select="'Edition: ' || ."/></dc:description>
      </xsl:for-each>
      <xsl:for-each select="ed:publisher(.)">
        <dc:publisher><xsl:value-of select="."/></dc:publisher>
      </xsl:for-each>
      <xsl:for-each select="ed:edition-date(.)">
        <dc:date><xsl:value-of select="."/></dc:date>
      </xsl:for-each>
      <dc:type>Text</dc:type>
      <dc:format><xsl:value-of select="$dep:tei-mime"/></dc:format>
      <dc:identifier><xsl:value-of select="ed:identifier(.)"/></dc:identifier>
      <xsl:for-each select="ed:source(.)">
        <dc:source><xsl:value-of select="dep:source-citation(.)"/></dc:source>
      </xsl:for-each>
      <!-- The first language listed is the main language (docs/encoding.md). -->
      <dc:language><xsl:value-of select="ed:language(.)"/></dc:language>
      <xsl:for-each select="ed:licence(.)">
        <dc:rights><xsl:value-of select="normalize-space(.)"/></dc:rights>
        <xsl:if test="@target">
          <dc:rights><xsl:value-of select="@target"/></dc:rights>
        </xsl:if>
      </xsl:for-each>
      <!-- What the header says beside (or without) a licence: rights in the source not
           known, the code's licence. -->
      <xsl:for-each select="ed:rights-statements(.)">
        <dc:rights><xsl:value-of select="normalize-space(.)"/></dc:rights>
      </xsl:for-each>
    </oai_dc:dc>
  </xsl:template>

  <!-- "Title: Subtitle" (common.xsl has the two parts; archives want one title). -->
  <xsl:function name="dep:full-title" as="xs:string">
    <xsl:param name="doc" as="node()"/>
    <xsl:sequence select="string-join((ed:title($doc), ed:subtitle($doc)[.]), ': ')"/>
  </xsl:function>

  <!-- The header's edition statement, with its version when the statement does not
       name it ("First edition, revised (version 1.1)"; "Second edition (version 2)";
       "version 2" alone); nothing when the header has no editionStmt. -->
  <xsl:function name="dep:edition" as="xs:string?">
    <xsl:param name="doc" as="node()"/>
    <xsl:variable name="statement" select="ed:edition-statement($doc)"/>
    <xsl:variable name="version" select="ed:edition-version($doc)"/>
    <xsl:sequence select="
      if (empty($version)) then $statement
      else if (empty($statement)) then 'version ' || $version
      else if (contains($statement, $version)) then $statement
      else $statement || ' (version ' || $version || ')'"/>
  </xsl:function>

  <!-- One line citing the source: title, publisher, printed pages (ed:source-parts, as
       every output describes it), and the file name. -->
  <xsl:function name="dep:source-citation" as="xs:string">
    <xsl:param name="bibl" as="element(tei:bibl)"/>
    <xsl:sequence select="string-join(ed:source-parts($bibl), ', ') || ed:source-file($bibl) ! (' (file ' || . || ')') || '.'"/>
  </xsl:function>
</xsl:stylesheet>
