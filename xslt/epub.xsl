<?xml version="1.0" encoding="UTF-8"?>
<!--
  The EPUB 3 reading edition. Writes, as xsl:result-document, every file of the package
  under EPUB/: the package document (package.opf), the navigation document (nav.xhtml),
  the XHTML content documents (title page, text with its notes, corrections, index) and
  the stylesheet (epub.css). tei_tools/epub.py adds mimetype and META-INF/container.xml
  and zips them.

  The source is the TEI document (for the package's metadata); the content is the HTML
  edition's page, passed as the parameter html-page (html.xsl run with page-tree), so the
  text, notes, corrections and registers are rendered once for both editions. This file
  says only what differs in an EPUB (mode ebk:xhtml): no pop-up copy of a note and no
  reading switch (a reading system pops up a note itself and has no switch), the collected
  notes as endnotes (not footnote asides, which some reading systems hide from the flow),
  page breaks as epub:type="pagebreak", the index's EPUB Indexes semantics, no map, no
  script and no hover titles on links, and the split into several documents, whose
  cross-document links are resolved from the ids each document holds.

  The content documents are result documents written with this file's xsl:output (XHTML,
  with its XML declaration, not indented). saxonche hands captured result documents back
  as unserialised trees, so tei_tools writes each tree through mode ebk:serialize, which
  returns it as it is to the same xsl:output (measured: a millisecond less per EPUB than
  serialize() in the transform, for the same bytes). The package document, which is
  indented XML, is serialised here with serialize() and written as text.
-->
<xsl:stylesheet version="3.0"
  xmlns:xsl="http://www.w3.org/1999/XSL/Transform"
  xmlns:xs="http://www.w3.org/2001/XMLSchema"
  xmlns:tei="http://www.tei-c.org/ns/1.0"
  xmlns:ed="urn:tei-tools:edition"
  xmlns:ebk="urn:tei-tools:epub"
  xmlns:h="http://www.w3.org/1999/xhtml"
  xmlns:svg="http://www.w3.org/2000/svg"
  xmlns:epub="http://www.idpf.org/2007/ops"
  xmlns:opf="http://www.idpf.org/2007/opf"
  xmlns:dc="http://purl.org/dc/elements/1.1/"
  xmlns:map="http://www.w3.org/2005/xpath-functions/map"
  xmlns="http://www.w3.org/1999/xhtml"
  exclude-result-prefixes="#all">

  <xsl:import href="common.xsl"/>

  <!-- The HTML edition's page as a tree: html.xsl with page-tree=true(). Not declared
       required, so that mode ebk:serialize can run without it; the transform itself stops
       without it (template "/"). -->
  <xsl:param name="html-page" as="document-node()?"/>
  <xsl:variable name="ebk:page" select="$html-page"/>

  <!-- The content documents' serialisation (the principal result is empty: every file is
       a result document). -->
  <xsl:output method="xhtml" html-version="5" encoding="UTF-8" omit-xml-declaration="no"
              indent="no" escape-uri-attributes="no"/>

  <!-- A content document's tree written with the xsl:output above: tei_tools.epub starts
       here (initial mode ebk:serialize) for each tree captured from xsl:result-document. -->
  <xsl:mode name="ebk:serialize" on-no-match="deep-copy"/>
  <xsl:template match="/" mode="ebk:serialize">
    <xsl:sequence select="."/>
  </xsl:template>

  <!-- Read once, when the stylesheet is compiled. -->
  <xsl:variable name="ebk:css" static="yes" select="unparsed-text('epub.css')"/>

  <xsl:variable name="ebk:doc" select="/"/>
  <xsl:variable name="ebk:folder" select="'EPUB/'"/>
  <xsl:variable name="ebk:ops" select="'http://www.idpf.org/2007/ops'"/>

  <xsl:variable name="ebk:xml-serialization" select="map{
    'method': 'xml', 'encoding': 'UTF-8', 'omit-xml-declaration': false(), 'indent': true()}"/>

  <!-- The DPUB-ARIA roles of the page's links and the EPUB structural semantics that say
       the same (the other roles and types of the publication are written where their
       elements are made: page breaks, endnotes, index, navigation). -->
  <xsl:variable name="ebk:epub-types" select="map{'doc-noteref': 'noteref', 'doc-backlink': 'backlink'}"/>
  <xsl:variable name="ebk:roles" as="xs:string*" select="map:keys($ebk:epub-types)"/>

  <!-- ============================ the package ============================ -->

  <!-- The documents of the publication, rendered once (see ebk:parts). -->
  <xsl:variable name="ebk:parts" as="element(ebk:part)*">
    <xsl:call-template name="ebk:parts"/>
  </xsl:variable>

  <!-- Every id of every document, with the document that holds it (the first, should a
       generated id of the title page or navigation also occur in the page). One map per
       document, then merged: a map entry per id merged one by one cost a millisecond more. -->
  <xsl:variable name="ebk:homes" as="map(xs:string, xs:string)">
    <xsl:variable name="per-document" as="map(xs:string, xs:string)*">
      <xsl:for-each select="$ebk:parts">
        <xsl:variable name="href" select="string(@href)"/>
        <xsl:map>
          <xsl:for-each select="distinct-values(ebk:content(.)//@id)">
            <xsl:map-entry key="string(.)" select="$href"/>
          </xsl:for-each>
        </xsl:map>
      </xsl:for-each>
    </xsl:variable>
    <xsl:sequence select="map:merge($per-document, map{'duplicates': 'use-first'})"/>
  </xsl:variable>

  <xsl:template match="/">
    <xsl:if test="empty($html-page)">
      <xsl:message terminate="yes" error-code="ebk:no-page">epub.xsl needs the HTML edition's page as the parameter html-page (html.xsl run with page-tree=true()).</xsl:message>
    </xsl:if>
    <xsl:variable name="parts" select="$ebk:parts"/>
    <!-- The content documents, in the order of the parts, each written straight into its
         result document: a tree made first and handed to xsl:result-document was copied
         again (a millisecond per EPUB). -->
    <xsl:for-each select="$parts">
      <xsl:result-document href="{$ebk:folder || @href}">
        <xsl:call-template name="ebk:content-document"/>
      </xsl:result-document>
    </xsl:for-each>
    <xsl:result-document href="{$ebk:folder}package.opf" method="text">
      <xsl:variable name="opf">
        <xsl:call-template name="ebk:package">
          <xsl:with-param name="parts" select="$parts"/>
        </xsl:call-template>
      </xsl:variable>
      <xsl:sequence select="serialize($opf, $ebk:xml-serialization)"/>
    </xsl:result-document>
    <xsl:result-document href="{$ebk:folder}epub.css" method="text">
      <xsl:sequence select="$ebk:css"/>
    </xsl:result-document>
  </xsl:template>

  <!-- The documents of the publication in reading order: @href, @title, @id (manifest),
       @body-type (epub:type of <body>), @shift (heading levels to raise), @properties (manifest),
       and what each is made of: its own content, or @sections, the ids of the page's
       sections it takes (left in the page, not copied: see ebk:content). -->
  <xsl:template name="ebk:parts">
    <xsl:variable name="doc" select="/"/>
    <xsl:variable name="main" select="$ebk:page/h:html/h:body/h:main"/>
    <ebk:part xsl:inherit-namespaces="no" href="title.xhtml" id="title-page" title="{ed:title($doc)}" body-type="frontmatter" shift="0">
      <xsl:call-template name="ebk:title-page"/>
    </ebk:part>
    <ebk:part xsl:inherit-namespaces="no" href="nav.xhtml" id="nav" title="Contents" shift="0" properties="nav">
      <xsl:call-template name="ebk:nav"/>
    </ebk:part>
    <ebk:part xsl:inherit-namespaces="no" href="text.xhtml" id="text" title="{ed:title($doc)}" body-type="bodymatter" shift="1"
              sections="{$main/(h:article | h:section[@id = ('notes', 'editorial-notes')])/@id}"/>
    <xsl:if test="$main/h:section[@id = 'corrections']">
      <ebk:part xsl:inherit-namespaces="no" href="corrections.xhtml" id="corrections" title="Corrections" body-type="backmatter" shift="1"
                sections="corrections"/>
    </xsl:if>
    <xsl:if test="ebk:registers()">
      <ebk:part xsl:inherit-namespaces="no" href="index.xhtml" id="index" title="Index" body-type="backmatter" shift="1"
                sections="registers"/>
    </xsl:if>
  </xsl:template>

  <!-- What a part is made of: the page's sections it names, or its own content. -->
  <xsl:function name="ebk:content" as="node()*">
    <xsl:param name="part" as="element(ebk:part)"/>
    <xsl:sequence select="if ($part/@sections)
      then $ebk:page/h:html/h:body/h:main/*[@id = tokenize($part/@sections)]
      else $part/node()"/>
  </xsl:function>

  <!-- The page's index (registers of persons, places, organisations), if it has one. -->
  <xsl:function name="ebk:registers" as="element(h:section)?">
    <xsl:sequence select="$ebk:page/h:html/h:body/h:main/h:section[@id = 'registers']"/>
  </xsl:function>

  <!-- Whether a part's document holds SVG (manifest property "svg"): SVG in its content
       outside the map, which the EPUB leaves out (see the template for h:figure[@class =
       'map'] below). Asked of the content, as the documents are written straight into
       their result documents and cannot be read back. -->
  <xsl:function name="ebk:has-svg" as="xs:boolean">
    <xsl:param name="part" as="element(ebk:part)"/>
    <xsl:sequence select="exists(ebk:content($part)//svg:svg[not(ancestor::h:figure[@class = 'map'])])"/>
  </xsl:function>

  <!-- One XHTML content document (the context item is its part): lang on the root, the
       package's CSS, links resolved. -->
  <xsl:template name="ebk:content-document">
    <xsl:variable name="part" select="."/>
    <xsl:variable name="lang" select="ed:language($ebk:doc)"/>
    <html lang="{$lang}" xml:lang="{$lang}">
      <xsl:namespace name="epub" select="$ebk:ops"/>
      <head>
        <title><xsl:value-of select="$part/@title"/></title>
        <link rel="stylesheet" type="text/css" href="epub.css"/>
      </head>
      <body>
        <xsl:if test="$part/@body-type">
          <xsl:attribute name="epub:type" select="$part/@body-type"/>
        </xsl:if>
        <!-- The part's file and heading shift travel as tunnel parameters: asking each
             link and heading for its ancestor part cost a walk up the tree each time. -->
        <xsl:apply-templates select="ebk:content($part)" mode="ebk:xhtml">
          <xsl:with-param name="here" select="string($part/@href)" tunnel="yes"/>
          <xsl:with-param name="shift" select="xs:integer($part/@shift)" tunnel="yes"/>
        </xsl:apply-templates>
      </body>
    </html>
  </xsl:template>

  <!-- ============================ the HTML markup made EPUB (mode ebk:xhtml) ============================ -->

  <!-- Attributes are copied whole (copy-of), not matched one by one: only elements are
       dispatched, which keeps this pass a small part of the build. -->
  <xsl:mode name="ebk:xhtml" on-no-match="shallow-copy"/>

  <xsl:template match="*" mode="ebk:xhtml">
    <xsl:copy>
      <xsl:copy-of select="@*"/>
      <xsl:apply-templates mode="#current"/>
    </xsl:copy>
  </xsl:template>

  <!-- An element with no child element (a cell, a name, a label) has nothing to change
       below it (what is changed is matched at a higher priority): copied whole, without a
       template call for itself and its text (measured: 0.15-0.2 ms less per EPUB). -->
  <xsl:template match="*[not(*)]" mode="ebk:xhtml" priority="0">
    <xsl:copy-of select="."/>
  </xsl:template>

  <!-- No hover text: a reading system shows none, and a screen reader reads it after the
       element's own words (a map link's "Open the place on OpenStreetMap", a note's
       "The note continues on page 213", which its "[p. 213]" says). The page's hover
       texts are on links and spans only (a pattern by name: tried on those alone). -->
  <xsl:template match="h:a[@title] | h:span[@title]" mode="ebk:xhtml" priority="1">
    <xsl:copy>
      <xsl:copy-of select="@* except @title"/>
      <xsl:apply-templates mode="#current"/>
    </xsl:copy>
  </xsl:template>

  <!-- "#id" points into whichever document holds the id. $class, when given, replaces the
       link's class (a note marker's comes from its wrapper); $type, when given, is its
       epub:type (an index locator's comes from its list). Written out in the template,
       not in functions: this runs for every link of the publication. -->
  <xsl:template match="h:a[starts-with(@href, '#')] | svg:a[starts-with(@href, '#')]" mode="ebk:xhtml" priority="2">
    <xsl:param name="here" as="xs:string" tunnel="yes"/>
    <xsl:param name="class" as="xs:string?"/>
    <xsl:param name="type" as="xs:string?"/>
    <!-- a note marker's label, given by its wrapper: written as a superscript -->
    <xsl:param name="marker" as="xs:string?"/>
    <xsl:variable name="home" select="$ebk:homes(substring(@href, 2))"/>
    <xsl:copy>
      <!-- No title: a reading system shows no hover text, and a screen reader would read
           the name twice. No description by a correction's source reading, which the EPUB
           leaves to its table (its mark follows the link: the next template). -->
      <xsl:copy-of select="@* except (@title, @aria-describedby)"/>
      <xsl:if test="exists($class)">
        <xsl:attribute name="class" select="$class"/>
      </xsl:if>
      <xsl:if test="@role">
        <xsl:copy-of select="ebk:epub-type(.)"/>
      </xsl:if>
      <xsl:if test="exists($type)">
        <xsl:attribute name="epub:type" select="$type"/>
      </xsl:if>
      <!-- A later attribute of the same name replaces the copied one. -->
      <xsl:if test="exists($home) and $home ne $here">
        <xsl:attribute name="href" select="$home || @href"/>
      </xsl:if>
      <xsl:choose>
        <!-- A word joiner first: a line may not begin with the marker, cut off from the
             word it belongs to ("present." then "°[c]" on the next line). -->
        <xsl:when test="exists($marker)"><xsl:value-of select="$ebk:word-joiner"/><sup><xsl:value-of select="$marker"/></sup></xsl:when>
        <xsl:otherwise><xsl:apply-templates mode="#current"/></xsl:otherwise>
      </xsl:choose>
    </xsl:copy>
  </xsl:template>

  <!-- A link around corrections (a corrected name), which the page describes by their
       readings (html.xsl, html:described-by-corrections). Links do not nest, so each
       correction's mark cannot stand inside the link: the link is cut after each
       correction, and the mark stands between the pieces ("Central Bureau° of the MOPR°",
       not "Central Bureau of the MOPR°°", which would not say which words were changed).
       (A pattern on the attribute: the other links of the publication are spared a search
       of their content.) -->
  <xsl:template match="h:a[@aria-describedby]" mode="ebk:xhtml" priority="3">
    <xsl:param name="class" as="xs:string?"/>
    <xsl:param name="type" as="xs:string?"/>
    <xsl:variable name="link" as="element()">
      <xsl:choose>
        <xsl:when test="starts-with(@href, '#')">
          <xsl:next-match>
            <xsl:with-param name="class" select="$class"/>
            <xsl:with-param name="type" select="$type"/>
          </xsl:next-match>
        </xsl:when>
        <!-- A link out of the publication (a ref), which the template above does not copy. -->
        <xsl:otherwise>
          <xsl:copy>
            <xsl:copy-of select="@* except @aria-describedby"/>
            <xsl:apply-templates mode="#current"/>
          </xsl:copy>
        </xsl:otherwise>
      </xsl:choose>
    </xsl:variable>
    <!-- The corrections in the link as they were on the page (they hold the readings that
         name the marks) and as written, in the same order. -->
    <xsl:variable name="marked" select="ebk:outermost-corrections(.)"/>
    <xsl:choose>
      <!-- Most such links are one corrected name and nothing else ("MOPR"): the link
           whole, then its mark (cutting it costs about 50 µs a link). -->
      <xsl:when test="count($marked) = 1 and string($marked) = string(.)">
        <xsl:sequence select="$link"/>
        <xsl:apply-templates select="$marked/descendant-or-self::h:span[starts-with(@class, 'choice ')]" mode="ebk:correction-mark"/>
      </xsl:when>
      <xsl:otherwise>
        <xsl:variable name="written" select="ebk:outermost-corrections($link)"/>
        <xsl:for-each select="1 to count($written)">
          <xsl:variable name="i" select="."/>
          <xsl:sequence select="ebk:link-piece($link, $written[$i - 1], $written[$i])"/>
          <xsl:apply-templates select="$marked[$i]/descendant-or-self::h:span[starts-with(@class, 'choice ')]" mode="ebk:correction-mark"/>
        </xsl:for-each>
        <xsl:sequence select="ebk:link-piece($link, $written[last()], ())"/>
      </xsl:otherwise>
    </xsl:choose>
  </xsl:template>

  <xsl:function name="ebk:outermost-corrections" as="element()*">
    <xsl:param name="link" as="element()"/>
    <xsl:sequence select="$link//h:span[starts-with(@class, 'choice ')][not(ancestor::h:span[starts-with(@class, 'choice ')])]"/>
  </xsl:function>

  <!-- The piece of a link from after the correction $after (from its start, if none) up
       to the correction $upto, which it ends with (to its end, if none): a copy of the
       link with what lies outside cut away. Each correction is whole in one piece; an id
       stays where its element begins (the link's own, its occurrence, in the first piece).
       White space that begins a piece stands before it, outside the link; a last piece of
       white space alone is no link. -->
  <xsl:function name="ebk:link-piece" as="node()*">
    <xsl:param name="link" as="element()"/>
    <xsl:param name="after" as="element()?"/>
    <xsl:param name="upto" as="element()?"/>
    <!-- its text outside corrections, and its corrections, in document order -->
    <xsl:variable name="atoms" select="($link//text()[not(ancestor::h:span[starts-with(@class, 'choice ')])] | ebk:outermost-corrections($link))
      [empty($after) or . >> $after][empty($upto) or not(. >> $upto)]"/>
    <xsl:variable name="lead" select="$atoms[1][self::text()][matches(., '^\s')]/replace(., '^(\s+).*$', '$1', 's')"/>
    <xsl:choose>
      <xsl:when test="empty($upto) and not(normalize-space(string-join($atoms)))">
        <xsl:value-of select="string-join($atoms)"/>
      </xsl:when>
      <xsl:otherwise>
        <xsl:value-of select="$lead"/>
        <xsl:apply-templates select="$link" mode="ebk:link-piece">
          <xsl:with-param name="atoms" select="$atoms" tunnel="yes"/>
          <xsl:with-param name="lead" select="$atoms[1][$lead]" tunnel="yes"/>
        </xsl:apply-templates>
      </xsl:otherwise>
    </xsl:choose>
  </xsl:function>

  <xsl:template match="*" mode="ebk:link-piece">
    <xsl:param name="atoms" as="node()*" tunnel="yes"/>
    <xsl:choose>
      <xsl:when test=". intersect $atoms">
        <xsl:copy-of select="."/>
      </xsl:when>
      <xsl:when test="descendant::node() intersect $atoms">
        <xsl:copy>
          <xsl:copy-of select="if ((descendant::node() intersect $atoms)[1] is (descendant::text() | descendant::h:span[starts-with(@class, 'choice ')])[1]) then @* else @* except @id"/>
          <xsl:apply-templates mode="#current"/>
        </xsl:copy>
      </xsl:when>
    </xsl:choose>
  </xsl:template>

  <xsl:template match="text()" mode="ebk:link-piece">
    <xsl:param name="atoms" as="node()*" tunnel="yes"/>
    <xsl:param name="lead" as="node()?" tunnel="yes"/>
    <xsl:if test=". intersect $atoms">
      <xsl:value-of select="if (. is $lead) then replace(., '^\s+', '') else ."/>
    </xsl:if>
  </xsl:template>

  <!-- "1922-11-30+03:00" gives "1922-11-30", "1922Z" "1922"; a day of every year and a year
       before the common era give nothing. -->
  <xsl:function name="ebk:w3cdtf" as="xs:string?">
    <xsl:param name="date" as="xs:string"/>
    <xsl:variable name="day" select="substring(normalize-space($date), 1, 10)"/>
    <xsl:sequence select="((10, 7, 4)[string-length($day) ge .] ! substring($day, 1, .))
      [translate(., '0123456789', '##########') = ('####-##-##', '####-##', '####')][1]"/>
  </xsl:function>

  <xsl:function name="ebk:epub-type" as="attribute()?">
    <xsl:param name="element" as="element()"/>
    <xsl:if test="$element/@role = $ebk:roles and not($element/@epub:type)">
      <xsl:attribute name="epub:type" select="$ebk:epub-types(string($element/@role))"/>
    </xsl:if>
  </xsl:function>

  <!-- Each document begins at h1: the HTML page's h2 sections are documents here. -->
  <xsl:template match="h:h2 | h:h3 | h:h4 | h:h5 | h:h6" mode="ebk:xhtml" priority="1">
    <xsl:param name="shift" as="xs:integer" tunnel="yes"/>
    <xsl:element name="h{max((1, xs:integer(substring(local-name(), 2)) - $shift))}">
      <xsl:copy-of select="@*"/>
      <xsl:apply-templates mode="#current"/>
    </xsl:element>
  </xsl:template>

  <!-- ============================ the page's markup: what differs in an EPUB ============================ -->

  <!-- A page begins: a marker reading systems list in the page-list and can jump to
       (the page's margin link becomes the page number in brackets). -->
  <xsl:template match="h:span[@class = 'pb']" mode="ebk:xhtml" priority="2">
    <!-- The number is the digits of the page's number ("p. 212"), a link or, inside a link
         (a name broken across two pages), a span: class pb-n either way. (A page number is
         an integer: the inner translate() lists what is not a digit, the outer drops it.) -->
    <xsl:variable name="label" select="string(*[@class = 'pb-n'])"/>
    <xsl:variable name="n" select="translate($label, translate($label, '0123456789', ''), '')"/>
    <!-- A page that begins between two words gets the space the text has on one side on
         the other side too ("present. [p. 213] The", not "[p. 213]The" where styles are
         set aside); inside a word, none (the style's margin sets it apart). -->
    <xsl:variable name="space-before" select="matches(string(preceding-sibling::node()[1][self::text()]), '\s$')"/>
    <xsl:variable name="space-after" select="matches(string(following-sibling::node()[1][self::text()]), '^\s')"/>
    <xsl:if test="$space-after and not($space-before)">
      <xsl:text> </xsl:text>
    </xsl:if>
    <span class="pb" id="{@id}" epub:type="pagebreak" role="doc-pagebreak" aria-label="{$n}">[p. <xsl:value-of select="$n"/>]</span>
    <xsl:if test="$space-before and not($space-after)">
      <xsl:text> </xsl:text>
    </xsl:if>
  </xsl:template>

  <!-- A note marker only: the note is an endnote (see below) that reading systems show as
       a pop-up, and that reads in place, after the text, where they do not. The marker
       is a superscript, and an editors' letter stands in brackets, in the markup itself
       (as the page writes it: "[a]"): a reading system that sets the publisher's styles
       aside (a reader's own font and layout) would otherwise run "forward°a by" together. -->
  <xsl:template match="h:span[starts-with(@class, 'noteref-wrap')]" mode="ebk:xhtml" priority="2">
    <xsl:variable name="editorial" select="contains(@class, ' ed')"/>
    <xsl:apply-templates select="h:a[@role = 'doc-noteref']" mode="#current">
      <xsl:with-param name="class" select="'noteref' || (' ed'[$editorial])"/>
      <xsl:with-param name="marker" select="string(h:a[@role = 'doc-noteref'])"/>
    </xsl:apply-templates>
  </xsl:template>

  <!-- The collected notes, after the text: endnotes (EPUB 3 structural semantics and
       DPUB-ARIA), a list of notes each with its own id. Not the page's asides with
       epub:type="footnote": Apple Books (and Thorium in part) hide those from the reading
       flow, which would leave these sections empty and the index's, the corrections' and
       the back-links' targets hidden. A note marker (noteref) still pops its note up. -->
  <xsl:template match="h:section[@id = ('notes', 'editorial-notes')]" mode="ebk:xhtml" priority="2">
    <xsl:copy>
      <xsl:copy-of select="@*"/>
      <xsl:attribute name="epub:type" select="'endnotes'"/>
      <xsl:attribute name="role" select="'doc-endnotes'"/>
      <xsl:apply-templates select="node() except h:aside" mode="#current"/>
      <ol class="notes-list">
        <xsl:apply-templates select="h:aside" mode="#current"/>
      </ol>
    </xsl:copy>
  </xsl:template>

  <!-- A note: an item of the list, its label (number or letter) written, not the list's.
       epub:type="endnote" is what Apple Books and Thorium pop up from a noteref; the
       structural semantics vocabulary has since deprecated it (EPUBCheck reports it only
       as a USAGE message, OPF-086b), but nothing has replaced it for reading systems. No
       role: DPUB-ARIA 1.1 deprecates doc-endnote (EPUBCheck warns), the list item is the
       note; nor the aside's aria-label, which named a landmark a list item is not. -->
  <xsl:template match="h:section[@id = ('notes', 'editorial-notes')]/h:aside" mode="ebk:xhtml" priority="3">
    <li>
      <xsl:copy-of select="@* except (@role, @aria-label)"/>
      <xsl:attribute name="epub:type" select="'endnote'"/>
      <xsl:apply-templates mode="#current"/>
    </li>
  </xsl:template>

  <!-- The index, as EPUB Indexes 1.0 structures it (and EPUBCheck's rules for it check it,
       tests/test_epub.py): the registers' section is the index (and doc-index), each
       register an index group of one heading and one list (ul, index-entry-list) of
       entries (li, index-entry; the list's and the entries' types, which EPUB Indexes
       implies, are written for reading systems that look for them), each entry's name its
       index term and each page link an index locator. A "see" reference ("Leningrad, see
       Petrograd.") is an entry too: its name the term, its link to the entry a preferred
       cross reference (index-xref-preferred) holding that entry's term. The document is
       not declared an index in the manifest (property "index"), which would require its
       body to be typed "index" instead of "backmatter". -->
  <xsl:template match="h:section[@id = 'registers']" mode="ebk:xhtml" priority="2">
    <xsl:copy>
      <xsl:copy-of select="@*"/>
      <xsl:attribute name="epub:type" select="'index'"/>
      <xsl:attribute name="role" select="'doc-index'"/>
      <xsl:apply-templates mode="#current"/>
    </xsl:copy>
  </xsl:template>

  <xsl:template match="h:section[@id = 'registers']/h:section" mode="ebk:xhtml" priority="2">
    <xsl:copy>
      <xsl:copy-of select="@*"/>
      <xsl:attribute name="epub:type" select="'index-group'"/>
      <xsl:apply-templates mode="#current"/>
    </xsl:copy>
  </xsl:template>

  <xsl:template match="h:ul[@class = 'entries']" mode="ebk:xhtml" priority="2">
    <xsl:copy>
      <xsl:copy-of select="@*"/>
      <xsl:attribute name="epub:type" select="'index-entry-list'"/>
      <xsl:apply-templates mode="#current"/>
    </xsl:copy>
  </xsl:template>

  <!-- An entry: its name is the index term, its page links the locators. Its parts are
       matched in a mode of their own, from the entry, so that the other spans of the
       publication are not tried against two more patterns (measured: 0.4 ms per EPUB). -->
  <xsl:template match="h:ul[@class = 'entries']/h:li" mode="ebk:xhtml" priority="2">
    <xsl:copy>
      <xsl:copy-of select="@*"/>
      <xsl:attribute name="epub:type" select="'index-entry'"/>
      <xsl:apply-templates mode="ebk:entry"/>
    </xsl:copy>
  </xsl:template>

  <xsl:template match="node()" mode="ebk:entry">
    <xsl:apply-templates select="." mode="ebk:xhtml"/>
  </xsl:template>

  <xsl:template match="h:span[@class = 'entry-name']" mode="ebk:entry">
    <xsl:copy>
      <xsl:copy-of select="@*"/>
      <xsl:attribute name="epub:type" select="'index-term'"/>
      <xsl:apply-templates mode="ebk:xhtml"/>
    </xsl:copy>
  </xsl:template>

  <!-- A "see" reference's link to an entry it sends the reader to (one of several:
       "Communist Party, see Communist Party of America; Russian Communist Party"): the
       preferred cross reference, whose text is the entry's term (EPUBCheck's index rules
       want an index-term in it). The entry is in the same document, the index, so the
       link's href stays as it is. -->
  <xsl:template match="h:li[@class = 'see']/h:a" mode="ebk:entry">
    <xsl:copy>
      <xsl:copy-of select="@*"/>
      <xsl:attribute name="epub:type" select="'index-xref-preferred'"/>
      <span epub:type="index-term"><xsl:apply-templates mode="ebk:xhtml"/></span>
    </xsl:copy>
  </xsl:template>

  <!-- An entry named nowhere ("Not named in the text.") has no locator: that sentence is
       its editor's note (an entry needs one or the other). Every link is a locator, a
       locator's own ("215n8") or one of the letters of a locator named several times
       ("213 a b c", in a sup: the next template). -->
  <xsl:template match="h:span[@class = 'occurrences']" mode="ebk:entry">
    <xsl:copy>
      <xsl:copy-of select="@*"/>
      <xsl:if test="empty(*)">
        <xsl:attribute name="epub:type" select="'index-editor-note'"/>
      </xsl:if>
      <xsl:apply-templates mode="ebk:xhtml">
        <xsl:with-param name="type" select="'index-locator'"/>
      </xsl:apply-templates>
    </xsl:copy>
  </xsl:template>

  <!-- A locator's letters: each link in it is a locator too. -->
  <xsl:template match="h:span[@class = 'occurrences']/h:sup" mode="ebk:xhtml" priority="2">
    <xsl:param name="type" as="xs:string?"/>
    <xsl:copy>
      <xsl:copy-of select="@*"/>
      <xsl:apply-templates mode="#current">
        <xsl:with-param name="type" select="$type"/>
      </xsl:apply-templates>
    </xsl:copy>
  </xsl:template>

  <!-- A correction reads as corrected; the source's reading and the reason are in the
       table of corrections (a reading system has no switch or pop-up to show them in
       place), which its mark links to. -->
  <xsl:template match="h:span[starts-with(@class, 'choice ')]" mode="ebk:xhtml" priority="2">
    <xsl:variable name="shown" select="h:span[@class = 'corr']/node() except h:span[@class = 'corr']/h:span[@class = 'tip-label']"/>
    <xsl:variable name="marked-here" select="empty(ancestor::h:a)"/>
    <!-- A reading that ends with a space (" - " for "-") has its mark before the space,
         against the last sign it corrects, not against the next word. -->
    <xsl:variable name="space-after" select="$shown[last()][$marked-here][self::text()][matches(., '\s$')]"/>
    <span>
      <!-- Not focusable here, so neither a group nor named: it reads as its words. -->
      <xsl:copy-of select="@* except (@tabindex, @role, @aria-roledescription, @aria-labelledby, @aria-describedby)"/>
      <xsl:apply-templates select="$shown except $space-after" mode="#current"/>
      <xsl:value-of select="$space-after ! replace(., '\s+$', '')"/>
    </span>
    <xsl:if test="$marked-here">
      <xsl:apply-templates select="." mode="ebk:correction-mark"/>
      <xsl:value-of select="$space-after ! replace(., '^.*?(\s+)$', '$1', 's')"/>
    </xsl:if>
  </xsl:template>

  <!-- Each correction's row in the table of corrections, by the correction's id (which the
       row's page link points to). -->
  <xsl:variable name="ebk:correction-rows" as="map(xs:string, element(h:tr))">
    <xsl:map>
      <xsl:for-each select="$ebk:page/h:html/h:body/h:main/h:section[@id = 'corrections']//h:tbody/h:tr[@id]">
        <xsl:map-entry key="substring(h:td[1]/h:a/@href, 2)" select="."/>
      </xsl:for-each>
    </xsl:map>
  </xsl:variable>

  <!-- U+2060 WORD JOINER: no line break before what follows it (a marker after its word);
       it has no width and no glyph, and a screen reader skips it. -->
  <xsl:variable name="ebk:word-joiner" as="xs:string" select="'&#x2060;'"/>

  <!-- A correction's mark: a small "°" after it that links to its row in the table of
       corrections, named for a screen reader by what the source reads ("correction: the
       source reads He"; the page's class says "correction" or "regularisation"). The
       underline alone could not be told from a name's, and says nothing to a screen
       reader. -->
  <xsl:template match="h:span" mode="ebk:correction-mark">
    <xsl:param name="here" as="xs:string" tunnel="yes"/>
    <xsl:variable name="row" select="$ebk:correction-rows(string(@id))"/>
    <xsl:if test="exists($row)">
      <!-- The source's reading as the table quotes it: with the words on either side where
           it is punctuation or spacing ("1921. Volga", not "."). -->
      <xsl:variable name="reading" select="normalize-space($row/h:td[2])"/>
      <a class="correction-mark" href="{$ebk:homes(string($row/@id))[. ne $here]}#{$row/@id}"
         aria-label="{substring-after(@class, 'choice ')}: {if ($reading) then 'the source reads ' || $reading else 'not in the source'}"><xsl:value-of select="$ebk:word-joiner"/>°</a>
    </xsl:if>
  </xsl:template>

  <!-- A correction inside a note's text, as the pop-ups render it: its corrected reading. -->
  <xsl:template match="h:span[@class = 'reading']" mode="ebk:xhtml" priority="2">
    <xsl:apply-templates select="h:span[@class = 'corr']/node()" mode="#current"/>
  </xsl:template>

  <!-- The hint under the table of corrections: no switch in an EPUB. -->
  <xsl:template match="h:section[@id = 'corrections']/h:p[@class = 'section-hint']" mode="ebk:xhtml" priority="2">
    <p class="section-hint">Every place where the editors changed the source’s reading. The text shows the corrected reading, underlined and marked °, a link to its row here; each row gives the source’s reading and the reason, and its page links back to the place in the text.<xsl:value-of select="(ed:regularisation-hint($ebk:doc), ed:gap-in-reading-hint($ebk:doc)) ! (' ' || .)" separator=""/></p>
  </xsl:template>

  <!-- The title page: no list of contents (the page's own, under "How to cite", read as
       part of it, and the navigation document that follows lists the same). -->
  <xsl:template match="h:nav[@class = 'toc']" mode="ebk:xhtml" priority="2"/>

  <!-- The title page: no "Cite a printed page by its link" (a link inside an EPUB is no
       address a reader can cite; the navigation's page list lists the pages). -->
  <xsl:template match="h:p[@class = 'cite-pages']" mode="ebk:xhtml" priority="2"/>

  <!-- No map of places in the EPUB: the index gives each place's country and coordinates
       in words, an inline SVG map renders unevenly across reading systems (and not at all
       on e-ink), and leaving it out keeps the publication textual only (accessMode).
       ebk:has-svg, which says whether a document holds SVG, leaves the map out too. -->
  <xsl:template match="h:figure[@class = 'map']" mode="ebk:xhtml" priority="2"/>

  <!-- ============================ the title page ============================ -->

  <!-- The HTML edition's front matter (title, source, editors, licence, how to cite, contents)
       without its reading switch, which needs a browser and is outside the header. -->
  <xsl:template name="ebk:title-page">
    <section class="titlepage" id="title-page" epub:type="titlepage">
      <xsl:sequence select="$ebk:page/h:html/h:body/h:header/node()"/>
      <p class="colophon">
        <xsl:text>EPUB edition built </xsl:text>
        <xsl:value-of select="ed:build-day()"/>
        <xsl:text> from the TEI master </xsl:text><code><xsl:value-of select="$stem"/>.xml</code>
        <xsl:value-of select="ed:tool-name() ! (' with ' || .)"/>
        <xsl:text>.</xsl:text>
        <xsl:if test="exists(ed:pages($ebk:doc))">
          <xsl:text> The pages of the printed original</xsl:text>
          <xsl:value-of select="ed:source-pages($ebk:doc)[.] ! (' (' || . || ')')"/>
          <xsl:text> are marked in the text and listed in the page list of the navigation; to cite a passage, give the page marked before it.</xsl:text>
        </xsl:if>
        <xsl:if test="exists(ebk:registers())">
          <xsl:text> Names of persons, places and organisations are underlined with dots and link to their entry in the Index, which lists every page where they are named.</xsl:text>
        </xsl:if>
        <xsl:if test="exists(ed:author-notes($ebk:doc)) or exists(ed:editorial-notes($ebk:doc))">
          <xsl:value-of select="' ' || ebk:note-markers-explained($ebk:doc)"/>
        </xsl:if>
        <xsl:if test="exists(ed:corrections($ebk:doc))">
          <xsl:text> Words the editors corrected are underlined and marked °: the mark links to the correction in the table of Corrections, which gives the source’s reading and the reason, and links back to the text.</xsl:text>
        </xsl:if>
      </p>
    </section>
  </xsl:template>

  <!-- "Superscript numbers mark the author’s notes, …": what the text's markers are, said
       before the text (the notes' own hints come after it). -->
  <xsl:function name="ebk:note-markers-explained" as="xs:string">
    <xsl:param name="doc" as="document-node()"/>
    <xsl:variable name="kinds" select="('superscript numbers mark the author’s notes, collected under Notes'[exists(ed:author-notes($doc))],
      'letters in brackets ([a]) the editors’ notes, under Editors’ notes'[exists(ed:editorial-notes($doc))])"/>
    <xsl:variable name="said" select="string-join($kinds, '; ')"/>
    <xsl:sequence select="upper-case(substring($said, 1, 1)) || substring($said, 2) || ', after the text.'"/>
  </xsl:function>

  <!-- ============================ the navigation document ============================ -->

  <xsl:template name="ebk:nav">
    <xsl:variable name="doc" select="$ebk:doc"/>
    <nav epub:type="toc" role="doc-toc" id="toc" aria-labelledby="toc-h">
      <h1 id="toc-h">Contents</h1>
      <ol>
        <li><a href="#title-page">Title page</a></li>
        <li><a href="#text"><xsl:value-of select="ed:title($doc)"/></a><xsl:call-template name="ed:section-list"><xsl:with-param name="parent" select="$doc/tei:TEI/tei:text/tei:body"/><xsl:with-param name="list" select="'ol'"/></xsl:call-template></li>
        <xsl:if test="ed:author-notes($doc)"><li><a href="#notes">Notes</a></li></xsl:if>
        <xsl:if test="ed:editorial-notes($doc)"><li><a href="#editorial-notes">Editors’ notes</a></li></xsl:if>
        <xsl:if test="ed:corrections($doc)"><li><a href="#corrections">Corrections</a></li></xsl:if>
        <xsl:for-each select="ebk:registers()">
          <li><a href="#{@id}"><xsl:value-of select="h:h2"/></a>
            <ol>
              <xsl:for-each select="h:section[@id]">
                <li><a href="#{@id}"><xsl:value-of select="h:h3"/></a></li>
              </xsl:for-each>
            </ol>
          </li>
        </xsl:for-each>
      </ol>
    </nav>
    <nav epub:type="landmarks" id="landmarks" aria-labelledby="landmarks-h" hidden="hidden">
      <h2 id="landmarks-h">Landmarks</h2>
      <ol>
        <li><a epub:type="titlepage" href="#title-page">Title page</a></li>
        <li><a epub:type="toc" href="#toc">Contents</a></li>
        <li><a epub:type="bodymatter" href="#text">Text</a></li>
        <xsl:for-each select="ebk:registers()">
          <li><a epub:type="index" href="#{@id}">Index</a></li>
        </xsl:for-each>
      </ol>
    </nav>
    <xsl:if test="ed:pages($doc)">
      <nav epub:type="page-list" role="doc-pagelist" id="page-list" aria-labelledby="page-list-h" hidden="hidden">
        <h2 id="page-list-h">Pages of the printed original</h2>
        <ol>
          <xsl:for-each select="ed:pages($doc)">
            <li><a href="#{ed:page-id(ed:page-number(.))}"><xsl:value-of select="ed:page-number(.)"/></a></li>
          </xsl:for-each>
        </ol>
      </nav>
    </xsl:if>
  </xsl:template>

  <!-- ============================ the package document ============================ -->

  <xsl:template name="ebk:package">
    <xsl:param name="parts" as="element(ebk:part)*"/>
    <xsl:variable name="doc" select="$ebk:doc"/>
    <xsl:variable name="svg" as="xs:boolean*" select="$parts ! ebk:has-svg(.)"/>
    <package xmlns="http://www.idpf.org/2007/opf" version="3.0" unique-identifier="pub-id"
             xml:lang="{ed:language($doc)}" dir="ltr">
      <metadata>
        <xsl:namespace name="dc" select="'http://purl.org/dc/elements/1.1/'"/>
        <xsl:call-template name="ebk:metadata">
          <!-- Some document shows a map (has SVG). -->
          <xsl:with-param name="has-map" select="$svg = true()"/>
        </xsl:call-template>
      </metadata>
      <manifest>
        <xsl:for-each select="$parts">
          <xsl:variable name="i" select="position()"/>
          <item id="{@id}" href="{@href}" media-type="application/xhtml+xml">
            <xsl:variable name="properties" select="(@properties/string(), 'svg'[$svg[$i]])"/>
            <xsl:if test="exists($properties)">
              <xsl:attribute name="properties" select="string-join($properties, ' ')"/>
            </xsl:if>
          </item>
        </xsl:for-each>
        <item id="css" href="epub.css" media-type="text/css"/>
      </manifest>
      <spine>
        <xsl:for-each select="$parts">
          <itemref idref="{@id}"/>
        </xsl:for-each>
      </spine>
    </package>
  </xsl:template>

  <xsl:template name="ebk:metadata">
    <xsl:param name="has-map" as="xs:boolean"/>
    <xsl:variable name="doc" select="$ebk:doc"/>
    <xsl:variable name="source" select="ed:source($doc)"/>
    <xsl:variable name="has-pages" select="exists(ed:pages($doc))"/>
    <xsl:variable name="has-index" select="exists(ebk:registers())"/>
    <dc:identifier id="pub-id"><xsl:value-of select="ed:identifier($doc)"/></dc:identifier>
    <dc:title id="title"><xsl:value-of select="ed:title($doc)"/></dc:title>
    <meta xmlns="http://www.idpf.org/2007/opf" refines="#title" property="title-type">main</meta>
    <xsl:for-each select="ed:subtitle($doc)">
      <dc:title id="subtitle"><xsl:value-of select="."/></dc:title>
      <meta xmlns="http://www.idpf.org/2007/opf" refines="#subtitle" property="title-type">subtitle</meta>
    </xsl:for-each>
    <dc:language><xsl:value-of select="ed:language($doc)"/></dc:language>
    <!-- The edition's editors are its creators (role edt), so that reading systems and
         libraries credit them rather than an "Unknown author"; the source's author is not
         known and is not invented. Each name once, and not again as a dc:contributor. -->
    <xsl:for-each select="distinct-values(ed:editor-names($doc))">
      <dc:creator id="editor-{position()}"><xsl:value-of select="."/></dc:creator>
      <meta xmlns="http://www.idpf.org/2007/opf" refines="#editor-{position()}" property="role" scheme="marc:relators">edt</meta>
    </xsl:for-each>
    <xsl:for-each select="ed:publisher($doc)">
      <dc:publisher><xsl:value-of select="."/></dc:publisher>
    </xsl:for-each>
    <!-- EPUB wants a W3CDTF date (YYYY, YYYY-MM or YYYY-MM-DD; EPUBCheck warns of anything
         else): a time zone is left out, and a date without a year or before the common era
         gives no dc:date, which is optional. -->
    <xsl:for-each select="ed:edition-date($doc) ! ebk:w3cdtf(.)">
      <dc:date><xsl:value-of select="."/></dc:date>
    </xsl:for-each>
    <!-- The licence with its address in angle brackets, as the text edition's "Licence"
         field gives it; then what the header says beside it (the rights in the source are
         not the editors'), each a statement of its own, as in the deposit's DC record. -->
    <xsl:for-each select="ed:licence($doc)">
      <dc:rights><xsl:value-of select="string-join((normalize-space(.), ed:safe-url(@target) ! ('&lt;' || . || '&gt;')), ' ')"/></dc:rights>
    </xsl:for-each>
    <xsl:for-each select="ed:rights-statements($doc)">
      <dc:rights><xsl:value-of select="normalize-space(.)"/></dc:rights>
    </xsl:for-each>
    <!-- The source, whose pages (those of the printed original) the page-list gives (EPUB 3.3:
         dc:source refined by source-of). -->
    <xsl:if test="$source">
      <dc:source id="print-source">
        <xsl:value-of select="string-join(ed:source-parts($doc), ', ')"/>
      </dc:source>
      <xsl:if test="$has-pages">
        <meta xmlns="http://www.idpf.org/2007/opf" refines="#print-source" property="source-of">pagination</meta>
      </xsl:if>
    </xsl:if>
    <xsl:for-each select="ed:keywords($doc)">
      <dc:subject><xsl:value-of select="."/></dc:subject>
    </xsl:for-each>
    <meta xmlns="http://www.idpf.org/2007/opf" property="dcterms:modified"><xsl:value-of select="$build-date"/></meta>
    <xsl:call-template name="ebk:accessibility">
      <xsl:with-param name="has-pages" select="$has-pages"/>
      <xsl:with-param name="has-index" select="$has-index"/>
      <xsl:with-param name="has-map" select="$has-map"/>
    </xsl:call-template>
  </xsl:template>

  <!-- EPUB Accessibility 1.1: schema.org properties that say only what this publication has
       (pageBreakMarkers, not the deprecated printPageNumbers, which says the same). -->
  <xsl:template name="ebk:accessibility">
    <xsl:param name="has-pages" as="xs:boolean"/>
    <xsl:param name="has-index" as="xs:boolean"/>
    <xsl:param name="has-map" as="xs:boolean"/>
    <xsl:variable name="doc" select="$ebk:doc"/>
    <xsl:variable name="features" select="(
      'tableOfContents', 'readingOrder', 'structuralNavigation', 'displayTransformability',
      ('index')[$has-index],
      ('pageBreakMarkers', 'pageNavigation')[$has-pages])"/>
    <meta xmlns="http://www.idpf.org/2007/opf" property="schema:accessMode">textual</meta>
    <xsl:if test="$has-map">
      <meta xmlns="http://www.idpf.org/2007/opf" property="schema:accessMode">visual</meta>
    </xsl:if>
    <meta xmlns="http://www.idpf.org/2007/opf" property="schema:accessModeSufficient">textual</meta>
    <xsl:for-each select="$features">
      <meta xmlns="http://www.idpf.org/2007/opf" property="schema:accessibilityFeature"><xsl:value-of select="."/></meta>
    </xsl:for-each>
    <meta xmlns="http://www.idpf.org/2007/opf" property="schema:accessibilityHazard">none</meta>
    <meta xmlns="http://www.idpf.org/2007/opf" property="schema:accessibilitySummary">
      <xsl:value-of select="string-join((
        'A reflowable, text-only edition with structured headings, a table of contents and a landmarks list.',
        ('The page breaks of the printed original (pages ' || ed:source-pages($doc) || ') are marked in the text and listed in a page list.')[$has-pages],
        ('Notes are linked to their markers in both directions and read in place after the text where a reading system does not show them as pop-ups.')[exists(ed:author-notes($doc) | ed:editorial-notes($doc))],
        ('An index links every person, place and organisation to each place where it is named.')[$has-index],
        ('A map of the places repeats as a picture what the index gives in words.')[$has-map],
        'Nothing flashes, moves or sounds.'), ' ')"/>
    </meta>
    <meta xmlns="http://www.idpf.org/2007/opf" property="dcterms:conformsTo">EPUB Accessibility 1.1 - WCAG 2.1 Level AA</meta>
    <xsl:for-each select="ed:publisher($doc)">
      <meta xmlns="http://www.idpf.org/2007/opf" property="a11y:certifiedBy"><xsl:value-of select="."/></meta>
    </xsl:for-each>
  </xsl:template>
</xsl:stylesheet>
