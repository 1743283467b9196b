<?xml version="1.0" encoding="UTF-8"?>
<!--
  The HTML reading edition: one self-contained file (CSS, script and map inline, no
  request to anywhere). Shared logic comes from common.xsl; this file only says how the
  edition looks in HTML. The EPUB reuses this rendering: run with page-tree=true(), this
  stylesheet returns the page as a tree, which epub.xsl receives as its parameter
  html-page and takes its text, notes and registers from.

  Output elements are in the XHTML namespace so the same templates serve XHTML (EPUB);
  the HTML serializer writes them as plain HTML5.
-->
<xsl:stylesheet version="3.0"
  xmlns:xsl="http://www.w3.org/1999/XSL/Transform"
  xmlns:xs="http://www.w3.org/2001/XMLSchema"
  xmlns:tei="http://www.tei-c.org/ns/1.0"
  xmlns:ed="urn:tei-tools:edition"
  xmlns:html="urn:tei-tools:html"
  xmlns:svg="http://www.w3.org/2000/svg"
  xmlns:map="http://www.w3.org/2005/xpath-functions/map"
  xmlns="http://www.w3.org/1999/xhtml"
  exclude-result-prefixes="#all">

  <xsl:import href="common.xsl"/>
  <xsl:include href="map.xsl"/>

  <!-- Every URL written is already ASCII (ids, checked links), so the serializer need not escape them again. -->
  <xsl:output method="html" html-version="5" encoding="UTF-8" indent="no" escape-uri-attributes="no"/>

  <!-- Read once, when the stylesheet is compiled; they become inline <style> and <script>. -->
  <xsl:variable name="html:css" static="yes" select="unparsed-text('html.css')"/>
  <xsl:variable name="html:js" static="yes" select="unparsed-text('html.js')"/>

  <xsl:variable name="html:doc" select="/"/>

  <!-- true(): the principal result is the page as a tree, not yet written. epub.xsl makes
       the EPUB from that tree, tei_tools writes it as HTML (mode html:serialize), and the
       page is rendered once for both editions. -->
  <xsl:param name="page-tree" as="xs:boolean" select="false()"/>
  <!-- true(): the page only for the EPUB made from it, without what the EPUB leaves out
       (the map of places, the pop-up copies of the notes, the names' hover titles, the
       metadata in <head>). -->
  <xsl:param name="epub-only" as="xs:boolean" select="false()"/>

  <!-- ============================ the page ============================ -->

  <xsl:template match="/">
    <xsl:choose>
      <xsl:when test="$page-tree">
        <xsl:document><xsl:call-template name="html:page"/></xsl:document>
      </xsl:when>
      <xsl:otherwise>
        <xsl:call-template name="html:page"/>
      </xsl:otherwise>
    </xsl:choose>
  </xsl:template>

  <!-- The page tree (made with page-tree) written as HTML, with this stylesheet's
       xsl:output: tei_tools.transform starts here (initial mode html:serialize). The tree
       goes to the serializer as it is (a third faster than copying it node by node). -->
  <xsl:mode name="html:serialize" on-no-match="deep-copy"/>
  <xsl:template match="/" mode="html:serialize">
    <xsl:sequence select="."/>
  </xsl:template>

  <xsl:template name="html:page">
    <xsl:variable name="doc" select="$html:doc"/>
    <html lang="{ed:language($doc)}">
      <head>
        <meta name="viewport" content="width=device-width, initial-scale=1"/>
        <title><xsl:value-of select="ed:title($doc)"/></title>
        <xsl:if test="not($epub-only)">
          <xsl:call-template name="html:metadata"/>
        </xsl:if>
        <style><xsl:value-of select="$html:css" disable-output-escaping="no"/></style>
      </head>
      <body>
        <a class="skip" href="#text">Skip to the text</a>
        <xsl:call-template name="html:front-matter"/>
        <main id="main">
          <xsl:apply-templates select="$doc//tei:text/tei:body" mode="html:text"/>
          <xsl:call-template name="html:notes"/>
          <xsl:call-template name="html:corrections"/>
          <xsl:call-template name="html:registers"/>
        </main>
        <xsl:call-template name="html:colophon"/>
        <script><xsl:value-of select="$html:js"/></script>
      </body>
    </html>
  </xsl:template>

  <!-- ============================ metadata in <head> ============================ -->

  <xsl:template name="html:metadata">
    <xsl:variable name="doc" select="$html:doc"/>
    <xsl:variable name="pages" select="ed:pages($doc)"/>
    <meta name="description" content="{ed:citation($doc)}"/>
    <meta name="generator" content="{(ed:tool-name(), 'tei-tools')[1]}"/>
    <link rel="schema.dcterms" href="http://purl.org/dc/terms/"/>
    <meta name="dcterms.title" content="{ed:title($doc)}"/>
    <xsl:for-each select="ed:editor-names($doc)">
      <meta name="dcterms.contributor" content="{.}"/>
    </xsl:for-each>
    <meta name="dcterms.publisher" content="{ed:publisher($doc)}"/>
    <meta name="dcterms.identifier" content="{ed:identifier($doc)}"/>
    <meta name="dcterms.language" content="{ed:language($doc)}"/>
    <meta name="dcterms.date" content="{ed:edition-date($doc)}"/>
    <meta name="dcterms.modified" content="{ed:build-day()}"/>
    <meta name="dcterms.source" content="{string-join(ed:source-parts($doc), ', ')}"/>
    <meta name="dcterms.rights" content="{normalize-space(ed:licence($doc))}"/>
    <xsl:for-each select="ed:licence($doc)/@target[ed:safe-url(.)]">
      <meta name="dcterms.license" content="{.}"/>
    </xsl:for-each>
    <xsl:for-each select="ed:keywords($doc)">
      <meta name="dcterms.subject" content="{.}"/>
    </xsl:for-each>
    <!-- Highwire Press tags, read by Google Scholar and Zotero. -->
    <meta name="citation_title" content="{ed:title($doc)}"/>
    <xsl:for-each select="ed:editor-names($doc)">
      <meta name="citation_editor" content="{.}"/>
    </xsl:for-each>
    <meta name="citation_publisher" content="{ed:publisher($doc)}"/>
    <meta name="citation_publication_date" content="{translate(ed:edition-date($doc), '-', '/')}"/>
    <meta name="citation_language" content="{ed:language($doc)}"/>
    <xsl:if test="$pages">
      <meta name="citation_firstpage" content="{ed:page-number($pages[1])}"/>
      <meta name="citation_lastpage" content="{ed:page-number($pages[last()])}"/>
    </xsl:if>
    <xsl:for-each select="ed:keywords($doc)">
      <meta name="citation_keywords" content="{.}"/>
    </xsl:for-each>
    <script type="application/ld+json">
      <!-- serialize() escapes the JSON; "<" becomes \u003c so no text can close the script. -->
      <xsl:value-of select="replace(serialize(html:json-ld($doc), map{'method': 'json', 'indent': false()}), '&lt;', '\\u003c')"/>
    </script>
  </xsl:template>

  <xsl:function name="html:json-ld" as="map(*)">
    <xsl:param name="doc" as="node()"/>
    <xsl:variable name="source" select="ed:source($doc)"/>
    <xsl:variable name="licence" select="ed:licence($doc)"/>
    <xsl:sequence select="map:merge((
      map{
        '@context': 'https://schema.org',
        '@type': 'ScholarlyArticle',
        'name': ed:title($doc),
        'headline': ed:title($doc),
        'identifier': ed:identifier($doc),
        'inLanguage': ed:language($doc),
        'dateModified': ed:build-day(),
        'editor': array{ ed:editors($doc) ! map{
          '@type': if (self::tei:persName) then 'Person' else 'Organization',
          'name': normalize-space(.) } },
        'isBasedOn': map:merge((
          map{
            '@type': 'CreativeWork',
            'name': ed:source-title($doc),
            'pagination': ed:source-pages($doc)
          },
          ($source/tei:publisher)[1] ! map{'publisher': map{'@type': 'Organization', 'name': normalize-space(.)}},
          ed:source-status($doc) ! map{'description': .}
        )),
        'pageStart': ed:page-number(ed:pages($doc)[1]),
        'pageEnd': ed:page-number(ed:pages($doc)[last()])
      },
      ed:edition-date($doc) ! map{'datePublished': .},
      ed:publisher($doc) ! map{'publisher': map{'@type': 'Organization', 'name': .}},
      $licence/@target[ed:safe-url(.)] ! map{'license': string(.)},
      (if (exists(ed:keywords($doc))) then map{'keywords': array{ ed:keywords($doc) }} else ())
    ))"/>
  </xsl:function>

  <!-- ============================ front matter ============================ -->

  <xsl:template name="html:front-matter">
    <xsl:variable name="doc" select="$html:doc"/>
    <xsl:variable name="source" select="ed:source($doc)"/>
    <header class="front">
      <!-- What the page is, above the title, unless the subtitle says it already. -->
      <xsl:if test="not(ed:subtitle($doc)[starts-with(lower-case(.), 'a digital edition')])">
        <p class="kind">A digital edition</p>
      </xsl:if>
      <h1><xsl:value-of select="ed:title($doc)"/></h1>
      <xsl:for-each select="ed:subtitle($doc)">
        <p class="subtitle"><xsl:value-of select="."/></p>
      </xsl:for-each>
      <dl class="facts">
        <!-- A supplied title is said to be the editors' on the title page too (the text
             edition's "Title" field), not only under the article's heading. -->
        <xsl:if test="ed:title-supplied($doc)">
          <dt>Title</dt>
          <dd>Supplied by the editors.</dd>
        </xsl:if>
        <dt>Source</dt>
        <dd>
          <!-- The parts every output gives (ed:source-parts), the title with its markup. -->
          <xsl:variable name="title" select="$source/tei:title[1][normalize-space()]"/>
          <xsl:apply-templates select="$title" mode="html:text"/>
          <xsl:value-of select="string-join((''[$title], ed:source-parts($doc)[position() gt count($title)]), ', ')"/>
          <xsl:for-each select="ed:source-file($doc)">
            <xsl:text> (</xsl:text><xsl:value-of select="$ed:source-file-intro"/><code><xsl:value-of select="."/></code><xsl:text>)</xsl:text>
          </xsl:for-each>
          <xsl:text>.</xsl:text>
        </dd>
        <xsl:if test="$source/tei:note">
          <dt>Status of the source</dt>
          <dd><xsl:apply-templates select="$source/tei:note/node()" mode="html:text"/></dd>
        </xsl:if>
        <!-- What is known of the original the source translates, apart from the source's
             own status (the text edition's "Original" field). -->
        <xsl:for-each select="ed:originals($doc)">
          <dt>Original</dt>
          <dd class="original">
            <xsl:value-of select="ed:original-description(.)"/>
            <xsl:text>.</xsl:text>
            <xsl:for-each select="tei:note">
              <xsl:text> </xsl:text>
              <xsl:apply-templates mode="html:text"/>
            </xsl:for-each>
          </dd>
        </xsl:for-each>
        <dt>Editors</dt>
        <dd>
          <xsl:for-each select="ed:responsibility-statements($doc)">
            <xsl:if test="position() > 1">; </xsl:if>
            <xsl:value-of select="ed:responsible-names(.)"/>
            <xsl:for-each select="ed:responsibilities(.)">
              <span class="resp"> (<xsl:value-of select="."/>)</span>
            </xsl:for-each>
          </xsl:for-each>
        </dd>
        <xsl:for-each select="ed:edition-statement($doc)">
          <dt>Edition</dt>
          <dd><xsl:value-of select="."/></dd>
        </xsl:for-each>
        <dt>Licence</dt>
        <dd>
          <xsl:variable name="licence" select="ed:licence($doc)"/>
          <xsl:call-template name="html:link">
            <xsl:with-param name="href" select="$licence/@target"/>
            <xsl:with-param name="content"><xsl:value-of select="normalize-space($licence)"/></xsl:with-param>
          </xsl:call-template>
          <!-- What the header says beside the licence (whose rights it does not cover), as
               a sentence of its own after it. -->
          <xsl:if test="exists(ed:rights-statements($doc)) and not(ed:ends-a-sentence($licence))">.</xsl:if>
          <xsl:for-each select="ed:rights-statements($doc)">
            <span class="rights"><xsl:apply-templates select="@xml:lang" mode="html:lang"/><xsl:text> </xsl:text><xsl:apply-templates mode="html:text"/></span>
          </xsl:for-each>
        </dd>
        <dt>Identifier</dt>
        <dd><code><xsl:value-of select="ed:identifier($doc)"/></code>
          <xsl:for-each select="ed:edition-date($doc)">, published <xsl:value-of select="."/></xsl:for-each>
        </dd>
      </dl>
      <section class="cite" aria-labelledby="cite-h">
        <h2 id="cite-h">How to cite</h2>
        <p class="citation"><xsl:value-of select="ed:citation($doc)"/></p>
        <p class="cite-pages">
          <xsl:text>Cite a printed page by its link:</xsl:text>
          <xsl:for-each select="ed:pages($doc)">
            <xsl:text> </xsl:text>
            <a href="#{ed:page-id(ed:page-number(.))}">p. <xsl:value-of select="ed:page-number(.)"/></a>
          </xsl:for-each>
        </p>
      </section>
      <nav class="toc" aria-label="Contents">
        <ul>
          <li><a href="#text">Text</a><xsl:call-template name="ed:section-list"><xsl:with-param name="parent" select="$doc/tei:TEI/tei:text/tei:body"/><xsl:with-param name="list" select="'ul'"/></xsl:call-template></li>
          <xsl:if test="ed:author-notes($doc)"><li><a href="#notes">Notes</a></li></xsl:if>
          <xsl:if test="ed:editorial-notes($doc)"><li><a href="#editorial-notes">Editors’ notes</a></li></xsl:if>
          <xsl:if test="ed:corrections($doc)"><li><a href="#corrections">Corrections</a></li></xsl:if>
          <xsl:for-each select="ed:register-kinds($doc)">
            <li><a href="#{html:register-id(.)}"><xsl:value-of select="html:register-title(.)"/></a></li>
          </xsl:for-each>
        </ul>
      </nav>
    </header>
    <xsl:if test="ed:corrections($doc)">
      <!-- A landmark of its own (it stands outside the header and main), so that nothing of
           the page is outside every landmark. -->
      <div class="toolbar" role="region" aria-label="Reading options">
        <input type="checkbox" id="show-source" aria-describedby="show-source-hint"/>
        <label for="show-source">Show the source as published</label>
        <span id="show-source-hint" class="hint">Swaps each of the editors’ <xsl:value-of select="html:change-count(ed:corrections($doc))"/> back to the source’s reading.</span>
      </div>
      <xsl:if test="not($epub-only)">
        <p class="print-state front">
          <span class="corrected">Printed with the editors’ corrections in the text (each underlined; the source’s readings are listed under Corrections).</span>
          <span class="as-published">Printed as the source was published: the editors’ corrections are undone (each underlined; see Corrections).</span>
        </p>
      </xsl:if>
    </xsl:if>
  </xsl:template>

  <!-- "67 changes (48 corrections, 19 regularisations)": the header keeps the two apart. -->
  <xsl:function name="html:change-count" as="xs:string">
    <xsl:param name="choices" as="element(tei:choice)*"/>
    <xsl:variable name="corrections" select="html:counted(count($choices[tei:corr]), 'correction')"/>
    <xsl:variable name="regularisations" select="html:counted(count($choices[tei:reg]), 'regularisation')"/>
    <xsl:sequence select="if (empty($choices[tei:reg])) then $corrections
      else if (empty($choices[tei:corr])) then $regularisations
      else html:counted(count($choices), 'change') || ' (' || $corrections || ', ' || $regularisations || ')'"/>
  </xsl:function>

  <xsl:function name="html:counted" as="xs:string">
    <xsl:param name="number" as="xs:integer"/>
    <xsl:param name="noun" as="xs:string"/>
    <xsl:sequence select="$number || ' ' || $noun || 's'[$number ne 1]"/>
  </xsl:function>

  <xsl:template name="html:colophon">
    <footer class="colophon">
      <p>
        <xsl:value-of select="ed:title($html:doc)"/>
        <xsl:text> · </xsl:text>
        <xsl:value-of select="normalize-space(ed:licence($html:doc))"/>
        <xsl:text> · built </xsl:text>
        <time datetime="{ed:build-day()}"><xsl:value-of select="ed:build-day()"/></time>
        <xsl:text> from the TEI master </xsl:text><code><xsl:value-of select="$stem"/>.xml</code>
        <xsl:value-of select="ed:tool-name() ! (' with ' || .)"/>
        <xsl:text>. This file makes no network request.</xsl:text>
      </p>
    </footer>
  </xsl:template>

  <!-- ============================ the running text (mode html:text) ============================ -->

  <xsl:mode name="html:text" on-no-match="shallow-skip"/>

  <!-- The language of a TEI element, on the element made from it (WCAG 3.1.2: a screen
       reader speaks it, a browser hyphenates it, in its language). Applied to @xml:lang
       wherever an element is made from a TEI element, in every mode. -->
  <xsl:template match="@xml:lang" mode="html:lang">
    <xsl:attribute name="lang" select="normalize-space(.)"/>
  </xsl:template>

  <xsl:template match="tei:body" mode="html:text">
    <article id="text" class="text" lang="{ed:language(.)}">
      <xsl:apply-templates select="@xml:lang" mode="html:lang"/>
      <xsl:apply-templates mode="#current"/>
    </article>
  </xsl:template>

  <!-- The article is the <article>; further divisions become sections. -->
  <xsl:template match="tei:body/tei:div[@type = 'article'][1]" mode="html:text" priority="1">
    <xsl:apply-templates mode="#current"/>
  </xsl:template>

  <xsl:template match="tei:div" mode="html:text">
    <section class="div {@type}">
      <!-- An id for the contents' link to a division with a heading. -->
      <xsl:if test="tei:head"><xsl:attribute name="id" select="ed:section-id(.)"/></xsl:if>
      <xsl:apply-templates select="@xml:lang" mode="html:lang"/>
      <xsl:apply-templates mode="#current"/>
    </section>
  </xsl:template>

  <!-- The article's heading is h2 (the edition's title is the h1); a division inside it
       one level lower, down to h6, so that headings stay in order. -->
  <xsl:template match="tei:div/tei:head" mode="html:text">
    <xsl:element name="h{min((count(ancestor::tei:div) + 1, 6))}">
      <xsl:apply-templates select="@xml:lang" mode="html:lang"/>
      <xsl:apply-templates mode="#current"/>
    </xsl:element>
    <!-- A title the source lacks is the editors' (as the text edition says under it). -->
    <xsl:if test="@type = 'supplied'">
      <p class="section-hint">Title supplied by the editors.</p>
    </xsl:if>
  </xsl:template>

  <xsl:template match="tei:p" mode="html:text">
    <p><xsl:apply-templates select="@xml:lang" mode="html:lang"/><xsl:apply-templates mode="#current"/></p>
  </xsl:template>

  <xsl:template match="text()" mode="html:text">
    <xsl:value-of select="."/>
  </xsl:template>

  <!-- Whether a node stands inside what this edition makes a link (a name with @ref, a
       ref): a link there would be a link inside a link, which HTML does not allow. -->
  <xsl:function name="html:in-link" as="xs:boolean">
    <xsl:param name="node" as="node()"/>
    <xsl:sequence select="exists($node/ancestor::*[self::tei:ref or @ref][ancestor::tei:text])"/>
  </xsl:function>

  <!-- A page begins: a linkable number in the margin and a thin mark in the line. A page
       that begins inside a name or a link (a name broken across two pages) keeps its
       anchor and its number, but the number is no link: a link inside a link is not HTML. -->
  <xsl:template match="tei:pb" mode="html:text">
    <xsl:variable name="n" select="ed:page-number(.)"/>
    <span class="pb" id="{ed:page-id($n)}">
      <xsl:choose>
        <xsl:when test="html:in-link(.)">
          <span class="pb-n"><span aria-hidden="true">p. </span><span class="visually-hidden">Page </span><xsl:value-of select="$n"/></span>
        </xsl:when>
        <xsl:otherwise>
          <!-- Named by what it shows ("p. 212"), so that a user of speech input can say it. -->
          <a class="pb-n" href="#{ed:page-id($n)}">p. <xsl:value-of select="$n"/></a>
        </xsl:otherwise>
      </xsl:choose>
    </span>
  </xsl:template>

  <!-- Author's notes and editors' notes: a marker in the text with the note beside it in a
       pop-up (CSS :hover/:focus-within, no script needed); the note itself is in the notes list. -->
  <xsl:template match="tei:note[not(@prev)]" mode="html:text">
    <xsl:variable name="editorial" select="ed:is-editorial-note(.)"/>
    <span class="noteref-wrap{if ($editorial) then ' ed' else ''}">
      <a class="noteref" id="{ed:noteref-id(.)}" href="#{ed:note-id(.)}" role="doc-noteref">
        <xsl:attribute name="aria-label" select="(if ($editorial) then 'Editors’ note ' else 'Note ') || ed:note-label(.)"/>
        <!-- A superscript, an editors' letter in brackets, in the markup: a reader view or a
             copy of the text without the page's style keeps them ("forward[a] by"). -->
        <sup><xsl:value-of select="if ($editorial) then '[' || ed:note-label(.) || ']' else ed:note-label(.)"/></sup>
      </a>
      <xsl:if test="not($epub-only)">
        <span class="note-pop" aria-hidden="true">
          <xsl:apply-templates select="@xml:lang" mode="html:lang"/>
          <span class="note-pop-label"><xsl:value-of select="ed:note-label(.)"/></span>
          <xsl:text> </xsl:text>
          <xsl:apply-templates select="., ed:continuations(.)" mode="html:pop-note"/>
        </span>
      </xsl:if>
    </span>
  </xsl:template>

  <!-- A continuation is shown with its first part. -->
  <xsl:template match="tei:note[@prev]" mode="html:text"/>

  <!-- A note outside the text (in the editors' prose of the header or of a register entry)
       is not in the notes lists, so a marker would lead nowhere: it is read where it
       stands, in brackets. -->
  <xsl:template match="tei:note[not(ancestor::tei:text)]" mode="html:text html:pop" priority="2">
    <xsl:if test="normalize-space() or *">
      <span class="note-inline"><xsl:apply-templates select="@xml:lang" mode="html:lang"/> (<xsl:apply-templates mode="#current"/>)</span>
    </xsl:if>
  </xsl:template>

  <!-- Whatever names a register entry (@ref): a name, and any other element the schema
       lets name one (an author, a place of publication, a title). A discreet link to the
       entry; the id lets the register link back to every occurrence ed:occurrences counts.
       A name is the link and nothing else; another element keeps its own rendering
       (xsl:next-match: a title its <cite>), inside the link. A priority above every other
       template of the mode, so that it comes first. -->
  <xsl:template match="tei:*[@ref]" mode="html:text" priority="3">
    <xsl:variable name="entry" select="ed:entity(.)"/>
    <xsl:choose>
      <xsl:when test="not($entry)">
        <span class="ent"><xsl:apply-templates select="@xml:lang" mode="html:lang"/><xsl:next-match/></span>
      </xsl:when>
      <!-- No link inside a link: the occurrence keeps its id, the outer element links. -->
      <xsl:when test="html:in-link(.)">
        <span class="ent {ed:entity-kind($entry)}">
          <xsl:for-each select="ed:occurrence-id(.)"><xsl:attribute name="id" select="."/></xsl:for-each>
          <xsl:apply-templates select="@xml:lang" mode="html:lang"/>
          <xsl:next-match/>
        </span>
      </xsl:when>
      <xsl:otherwise>
        <!-- A name in the editors' prose (header, registers) links, but is no occurrence. -->
        <a class="ent {ed:entity-kind($entry)}" href="#{$entry/@xml:id}">
          <xsl:for-each select="ed:occurrence-id(.)"><xsl:attribute name="id" select="."/></xsl:for-each>
          <!-- The standard name on hover; the EPUB has no hover and leaves it out. -->
          <xsl:if test="not($epub-only)">
            <xsl:attribute name="title" select="html:name-title($entry)"/>
          </xsl:if>
          <xsl:call-template name="html:described-by-corrections"/>
          <xsl:apply-templates select="@xml:lang" mode="html:lang"/>
          <xsl:next-match/>
        </a>
      </xsl:otherwise>
    </xsl:choose>
  </xsl:template>

  <!-- A name's hover title: the entry's standard name and what the register prints after
       it (ed:aside-names), so that "Leningrad" in the text says "Petrograd (Leningrad,
       January 1924 – 1991; …)". Cached: a name is asked for at each of its occurrences. -->
  <xsl:function name="html:name-title" as="xs:string" cache="yes">
    <xsl:param name="entry" as="element()"/>
    <xsl:sequence select="ed:entity-name($entry) || ed:aside-text($entry) ! (' (' || . || ')')"/>
  </xsl:function>

  <xsl:template match="tei:ref" mode="html:text">
    <xsl:call-template name="html:link">
      <xsl:with-param name="href" select="@target"/>
      <xsl:with-param name="content"><xsl:apply-templates mode="#current"/></xsl:with-param>
      <xsl:with-param name="source" select="."/>
    </xsl:call-template>
  </xsl:template>

  <!-- A link around corrections (a name the editors corrected) takes the focus instead of
       them: a screen reader on it hears, as its description, what the page hides of each,
       the source's reading ("The source reads: W. Heywood"); html.js puts the corrected
       reading in its place in the source view. (The link's hover title, the entry's
       standard name, is no description then; the link's text is the name.) -->
  <xsl:template name="html:described-by-corrections">
    <xsl:variable name="choices" select=".//tei:choice[ed:corrected-reading(.) and ed:source-reading(.)][not(ancestor::tei:sic or ancestor::tei:orig)]"/>
    <xsl:if test="$choices">
      <xsl:attribute name="aria-describedby" select="string-join($choices ! html:source-reading-id(., ed:correction-id(.)), ' ')"/>
    </xsl:if>
  </xsl:template>

  <!-- The ids of a correction's two readings in the page, from the correction's own
       (ed:correction-id, which the caller has asked already). Prefixes of their own, so
       that they can equal no other id the editions make up ("ref-" + a note's id, "occ-…",
       "corr-N", "row-…"). -->
  <xsl:function name="html:source-reading-id" as="xs:string">
    <xsl:param name="choice" as="element(tei:choice)"/>
    <xsl:param name="correction-id" as="xs:string"/>
    <xsl:sequence select="ed:free-id('src-' || $correction-id, $choice)"/>
  </xsl:function>

  <xsl:function name="html:corrected-reading-id" as="xs:string">
    <xsl:param name="choice" as="element(tei:choice)"/>
    <xsl:param name="correction-id" as="xs:string"/>
    <xsl:sequence select="ed:free-id('corrected-' || $correction-id, $choice)"/>
  </xsl:function>

  <!-- A corrected passage: both readings are in the page, CSS shows one and offers the other
       on hover or focus; the switch in the toolbar swaps them all. -->
  <xsl:template match="tei:choice[ed:corrected-reading(.) and ed:source-reading(.)]" mode="html:text">
    <xsl:apply-templates select="ed:breaks-in-source-reading(.)" mode="#current"/>
    <xsl:variable name="id" select="ed:correction-id(.)"/>
    <xsl:variable name="source-id" select="html:source-reading-id(., $id)"/>
    <span class="choice {ed:correction-kind(.)}" id="{$id}">
      <xsl:apply-templates select="@xml:lang" mode="html:lang"/>
      <!-- Focusable itself, unless it sits in a link, which takes the focus (and the
           description, html:described-by-corrections) instead. Focused, a screen reader
           reads the reading the page hides as the description (hidden on screen until
           hover or focus, which a description may be): the source's, or the corrected one
           in the source view (html.js). -->
      <xsl:if test="not(html:in-link(.))">
        <xsl:attribute name="tabindex" select="0"/>
        <!-- A focusable span with no role has no name: a screen reader reaching it said
             nothing of the words. As a group called "correction" it is named by the reading
             shown (html.js names it by the source's in the source view). -->
        <xsl:attribute name="role" select="'group'"/>
        <xsl:attribute name="aria-roledescription" select="ed:correction-kind(.)"/>
        <xsl:attribute name="aria-labelledby" select="html:corrected-reading-id(., $id)"/>
        <xsl:attribute name="aria-describedby" select="$source-id"/>
      </xsl:if>
      <xsl:variable name="why" as="element()?" select="html:why(.)"/>
      <span class="corr" id="{html:corrected-reading-id(., $id)}">
        <xsl:apply-templates select="ed:corrected-reading(.)/@xml:lang" mode="html:lang"/>
        <!-- A regularisation corrects no error (the header's normalization): said as such. -->
        <span class="tip-label"><xsl:value-of select="if (ed:correction-kind(.) = 'correction') then 'Corrected' else 'Regularised'"/> by the editors: </span>
        <xsl:apply-templates select="ed:corrected-reading(.)/node()" mode="#current"/>
        <xsl:sequence select="$why"/>
      </span>
      <span class="sic" id="{$source-id}">
        <xsl:apply-templates select="ed:source-reading(.)/@xml:lang" mode="html:lang"/>
        <span class="tip-label">The source reads: </span>
        <xsl:apply-templates select="ed:source-reading(.)/node()" mode="ed:as-published"/>
        <xsl:sequence select="$why"/>
      </span>
    </span>
  </xsl:template>

  <!-- Why the editors changed the reading, and how sure they are, on a line of the pop-up
       (a tip-label: shown in the pop-up only, and read with it as the description): the
       reader learnt it only from the list of corrections. An editors' note, when there is
       one, keeps its own marker after the correction. -->
  <xsl:function name="html:why" as="element()?">
    <xsl:param name="choice" as="element(tei:choice)"/>
    <xsl:variable name="categories" select="ed:correction-categories($choice)"/>
    <xsl:variable name="certainty" select="ed:certainty($choice)"/>
    <xsl:if test="exists($categories) or $certainty">
      <span class="tip-label"><br/><xsl:for-each select="$categories">
          <xsl:sequence select="html:category-text(.)"/><xsl:text> </xsl:text>
        </xsl:for-each>
        <xsl:if test="$certainty">Certainty: <xsl:value-of select="$certainty"/>.</xsl:if></span>
    </xsl:if>
  </xsl:function>

  <xsl:template match="tei:foreign[@xml:lang]" mode="html:text">
    <i class="foreign"><xsl:apply-templates select="@xml:lang" mode="html:lang"/><xsl:apply-templates mode="#current"/></i>
  </xsl:template>

  <!-- Highlighting: every rendition is a class, which the CSS styles ("bold italic" is
       both); the element is the one that says the most of them, a superscript or
       subscript first (it changes what the text means), then italic, then bold, which
       keep their look where a reading system sets no styles. -->
  <xsl:template match="tei:hi" mode="html:text html:pop">
    <xsl:variable name="rend" select="tokenize(@rend)"/>
    <xsl:element name="{if ($rend = ('sup', 'superscript')) then 'sup'
      else if ($rend = ('sub', 'subscript')) then 'sub'
      else if ($rend = ('italic', 'italics')) then 'i'
      else if ($rend = ('bold')) then 'b' else 'span'}">
      <xsl:attribute name="class" select="string-join(('hi', $rend), ' ')"/>
      <xsl:apply-templates select="@xml:lang" mode="html:lang"/>
      <xsl:apply-templates mode="#current"/>
    </xsl:element>
  </xsl:template>

  <xsl:template match="tei:title" mode="html:text">
    <cite class="{string-join(('title', @level ! normalize-space(.))[.], ' ')}"><xsl:apply-templates select="@xml:lang" mode="html:lang"/><xsl:apply-templates mode="#current"/></cite>
  </xsl:template>

  <!-- Quotation marks the editors' prose leaves to the outputs (ed:needs-quotation-marks),
       for quote as for q, as the text edition adds them; <q> nests them (“ ‘ ’ ”). -->
  <xsl:template match="tei:q[ed:needs-quotation-marks(.)] | tei:quote[ed:needs-quotation-marks(.)]" mode="html:text html:pop" priority="1">
    <q><xsl:apply-templates select="@xml:lang" mode="html:lang"/><xsl:apply-templates mode="#current"/></q>
  </xsl:template>

  <!-- The parts of an archival shelfmark are elements only (no text between them):
       separate them as a citation does. -->
  <xsl:template match="tei:msIdentifier" mode="html:text" priority="1">
    <span class="msIdentifier">
      <xsl:apply-templates select="@xml:lang" mode="html:lang"/>
      <xsl:for-each select="*">
        <xsl:if test="position() gt 1">, </xsl:if>
        <xsl:apply-templates select="." mode="#current"/>
      </xsl:for-each>
    </span>
  </xsl:template>

  <xsl:template match="tei:quote | tei:q" mode="html:text">
    <!-- The source's quotation marks are in the text: add none. -->
    <span class="{local-name()}"><xsl:apply-templates select="@xml:lang" mode="html:lang"/><xsl:apply-templates mode="#current"/></span>
  </xsl:template>

  <xsl:template match="tei:date[@when | @from | @notBefore]" mode="html:text">
    <!-- HTML's datetime names one moment: a range ("December 23-27, 1922", "summer of 1921")
         gets what its ends share (1922-12, 1921), or no <time> when they share no year. -->
    <xsl:variable name="when" select="if (@when) then normalize-space(@when)
      else html:shared-date(normalize-space((@from, @notBefore)[1]), normalize-space((@to, @notAfter)[1]))"/>
    <xsl:choose>
      <!-- A year, month, day or a day of every year: the forms HTML's datetime takes (by
           their shape, as a regular expression costs more in Saxon than the date itself). -->
      <xsl:when test="translate($when, '0123456789', '##########') = ('####', '####-##', '####-##-##', '--##-##')">
        <!-- HTML writes a day recurring every year ("- -03-18" in TEI) as "03-18". -->
        <time class="date" datetime="{if (starts-with($when, '--')) then substring($when, 3) else $when}"><xsl:apply-templates select="@xml:lang" mode="html:lang"/><xsl:apply-templates mode="#current"/></time>
      </xsl:when>
      <xsl:otherwise><span class="date"><xsl:apply-templates select="@xml:lang" mode="html:lang"/><xsl:apply-templates mode="#current"/></span></xsl:otherwise>
    </xsl:choose>
  </xsl:template>

  <!-- The day, month or year two dates share (a range's ends), or "" when they share none
       (or a range has one end only: from a date on is no moment). -->
  <xsl:function name="html:shared-date" as="xs:string">
    <xsl:param name="start" as="xs:string"/>
    <xsl:param name="end" as="xs:string"/>
    <xsl:sequence select="((10, 7, 4)[string-length($start) ge . and substring($start, 1, .) = substring($end, 1, .)] ! substring($start, 1, .), '')[1]"/>
  </xsl:function>

  <xsl:template match="tei:measure" mode="html:text">
    <!-- The normalised quantity, unit and commodity are data for machines, not a hover
         text: "48265 USD money" says nothing a reader does not read in the text. -->
    <span class="measure">
      <xsl:for-each select="@quantity, @unit, @commodity">
        <xsl:attribute name="data-{local-name()}" select="normalize-space(.)"/>
      </xsl:for-each>
      <xsl:apply-templates select="@xml:lang" mode="html:lang"/><xsl:apply-templates mode="#current"/></span>
  </xsl:template>

  <!-- Text the editors supply: between angle brackets, and gone in the source view. -->
  <xsl:template match="tei:supplied" mode="html:text html:pop">
    <span class="supplied" title="{ed:supplied-label(.)}">
      <xsl:apply-templates select="@xml:lang" mode="html:lang"/>
      <xsl:value-of select="$ed:supplied-open"/>
      <xsl:apply-templates mode="#current"/>
      <xsl:value-of select="$ed:supplied-close"/>
    </span>
  </xsl:template>

  <!-- Text the editors read with doubt: marked "(?)" after it. -->
  <xsl:template match="tei:unclear" mode="html:text html:pop">
    <span class="unclear" title="{ed:unclear-label(.)}">
      <xsl:apply-templates select="@xml:lang" mode="html:lang"/>
      <xsl:apply-templates mode="#current"/>
      <span class="unclear-mark"><xsl:value-of select="$ed:unclear-mark"/></span>
    </span>
  </xsl:template>

  <!-- What the source lost: "[…]", in the text and in what mode html:pop renders (a note's
       pop-up, a corrected reading in the table of corrections), never its description. -->
  <xsl:template match="tei:gap" mode="html:text html:pop">
    <span class="gap" role="note">
      <xsl:variable name="unit" select="normalize-space((@unit, 'words')[1])"/>
      <!-- "(1 word)", "(3 words)" -->
      <xsl:attribute name="aria-label" select="'Text lost in the source' || (if (@quantity) then ' (' || normalize-space(@quantity) || ' '
        || (if (normalize-space(@quantity) = '1' and ends-with($unit, 's')) then substring($unit, 1, string-length($unit) - 1) else $unit) || ')' else '')"/>
      <xsl:text>[…]</xsl:text>
    </span>
  </xsl:template>

  <xsl:template match="tei:bibl | tei:author | tei:pubPlace | tei:biblScope | tei:citedRange
                       | tei:msIdentifier | tei:institution | tei:collection | tei:idno | tei:publisher
                       | tei:persName[not(@ref)] | tei:placeName[not(@ref)] | tei:orgName[not(@ref)]
                       | tei:date | tei:term | tei:foreign"
                mode="html:text">
    <span class="{local-name()}"><xsl:apply-templates select="@xml:lang" mode="html:lang"/><xsl:apply-templates mode="#current"/></span>
  </xsl:template>

  <!-- A line break of the source; inside a word (break="no") the word is read whole. -->
  <xsl:template match="tei:lb" mode="html:text"><br/></xsl:template>
  <xsl:template match="tei:lb[@break = 'no']" mode="html:text html:pop"/>
  <xsl:template match="tei:lb" mode="html:pop"><xsl:text> </xsl:text></xsl:template>

  <!-- The source's reading inside a correction (common.xsl's mode ed:as-published: names
       stay plain, the corrected reading links), with its foreign words marked by language. -->
  <xsl:template match="tei:foreign[@xml:lang]" mode="ed:as-published">
    <i class="foreign"><xsl:apply-templates select="@xml:lang" mode="html:lang"/><xsl:apply-templates mode="#current"/></i>
  </xsl:template>

  <!-- ============================ a note's content in the pop-up (mode html:pop) ============================ -->
  <!-- A copy for sighted readers only (aria-hidden): no ids and no links, so nothing is
       duplicated for assistive technology and no focusable element is hidden. -->

  <!-- The note shown (or a continuation of it), in its own mode: in html:pop any note met
       is one inside it (an editors' note on the author's), which the pop-up leaves out. -->
  <xsl:template match="tei:note" mode="html:pop-note">
    <xsl:if test="@prev">
      <span class="pb-in-note"> [p. <xsl:value-of select="ed:page(.)"/>] </span>
    </xsl:if>
    <xsl:apply-templates mode="html:pop"/>
  </xsl:template>

  <xsl:mode name="html:pop" on-no-match="shallow-skip"/>
  <xsl:template match="text()" mode="html:pop"><xsl:value-of select="."/></xsl:template>
  <xsl:template match="tei:sic | tei:orig | tei:pb | tei:note" mode="html:pop"/>
  <!-- Both readings, as in the text, so that the switch swaps the pop-up's too; without
       the text's hover pop-up (this is one already). -->
  <xsl:template match="tei:choice[ed:corrected-reading(.) and ed:source-reading(.)]" mode="html:pop">
    <span class="reading">
      <xsl:apply-templates select="@xml:lang" mode="html:lang"/>
      <span class="corr"><xsl:apply-templates select="ed:corrected-reading(.)/@xml:lang" mode="html:lang"/><xsl:apply-templates select="ed:corrected-reading(.)/node()" mode="#current"/></span>
      <span class="sic"><xsl:apply-templates select="ed:source-reading(.)/@xml:lang" mode="html:lang"/><xsl:apply-templates select="ed:source-reading(.)/node()" mode="ed:as-published"/></span>
    </span>
  </xsl:template>
  <!-- (Quotation marks, highlighting and what the source lost: the templates of the text.) -->
  <xsl:template match="tei:foreign[@xml:lang]" mode="html:pop">
    <i><xsl:apply-templates select="@xml:lang" mode="html:lang"/><xsl:apply-templates mode="#current"/></i>
  </xsl:template>
  <xsl:template match="tei:title" mode="html:pop">
    <cite><xsl:apply-templates select="@xml:lang" mode="html:lang"/><xsl:apply-templates mode="#current"/></cite>
  </xsl:template>

  <!-- ============================ notes lists ============================ -->

  <xsl:template name="html:notes">
    <xsl:variable name="author" select="ed:author-notes($html:doc)"/>
    <xsl:variable name="editorial" select="ed:editorial-notes($html:doc)"/>
    <xsl:if test="$author">
      <section class="notes" id="notes" aria-labelledby="notes-h">
        <h2 id="notes-h">Notes</h2>
        <p class="section-hint">The author’s notes, numbered as printed.</p>
        <xsl:apply-templates select="$author" mode="html:note"/>
      </section>
    </xsl:if>
    <xsl:if test="$editorial">
      <section class="notes editorial" id="editorial-notes" aria-labelledby="editorial-notes-h">
        <h2 id="editorial-notes-h">Editors’ notes</h2>
        <p class="section-hint">Added by the editors, lettered in the order of the text (<xsl:value-of select="$ed:letters-left-out-why"/>); not part of the source.</p>
        <xsl:apply-templates select="$editorial" mode="html:note"/>
      </section>
    </xsl:if>
  </xsl:template>

  <xsl:template match="tei:note" mode="html:note">
    <xsl:variable name="editorial" select="ed:is-editorial-note(.)"/>
    <aside class="note{if ($editorial) then ' ed' else ''}" id="{ed:note-id(.)}" role="doc-footnote">
      <xsl:attribute name="aria-label" select="(if ($editorial) then 'Editors’ note ' else 'Note ') || ed:note-label(.)"/>
      <xsl:apply-templates select="@xml:lang" mode="html:lang"/>
      <p>
        <!-- The space after the label inside it: at the end of the label's own line it takes
             no room, so the note's first line starts where its hanging indent starts the
             others (a space after the box set it 5px further in); copied, it still parts
             the number from the text. -->
        <span class="note-label"><xsl:value-of select="ed:note-label(.)"/><xsl:text> </xsl:text></span>
        <xsl:apply-templates mode="html:text"/>
        <xsl:for-each select="ed:continuations(.)">
          <xsl:text> </xsl:text>
          <span class="pb-in-note" title="The note continues on page {ed:page(.)}">[p. <xsl:value-of select="ed:page(.)"/>]</span>
          <xsl:text> </xsl:text>
          <xsl:apply-templates mode="html:text"/>
        </xsl:for-each>
        <xsl:text> </xsl:text>
        <!-- "(p. 215)"; "(pp. 212–213)" for a note that runs over to a later page. -->
        <span class="note-where">(<xsl:value-of select="translate(ed:note-pages-label(.), ' ', '&#160;')"/>)</span>
        <!-- A no-break space: the arrow never stands alone on a line. -->
        <xsl:text>&#xA0;</xsl:text>
        <a class="backlink" href="#{ed:noteref-id(.)}" role="doc-backlink" aria-label="Back to the text at note {ed:note-label(.)}">&#x21A9;&#xFE0E;<span class="visually-hidden"> back</span></a>
      </p>
    </aside>
  </xsl:template>

  <!-- ============================ corrections table ============================ -->

  <xsl:template name="html:corrections">
    <xsl:variable name="choices" select="ed:corrections($html:doc)"/>
    <xsl:if test="$choices">
      <section class="corrections" id="corrections" aria-labelledby="corrections-h">
        <h2 id="corrections-h">Corrections</h2>
        <xsl:call-template name="html:corrections-hint"/>
        <!-- Scrolls sideways should it ever be too wide (it is not: its readings break, and
             on a phone each row is a block); no tab stop or region for a table that fits. -->
        <div class="table-wrap">
          <table aria-labelledby="corrections-h">
            <thead>
              <tr>
                <th scope="col">No.</th>
                <th scope="col">Page</th>
                <th scope="col">The source reads</th>
                <th scope="col">Corrected reading</th>
                <th scope="col">Certainty</th>
                <th scope="col">Reason</th>
              </tr>
            </thead>
            <tbody>
              <xsl:for-each select="$choices">
                <xsl:variable name="id" select="ed:correction-id(.)"/>
                <!-- An id for the row, which the EPUB's correction marks link to. -->
                <tr id="{ed:free-id('row-' || $id, .)}">
                  <!-- Numbered in the order of the text, as the text edition numbers its list
                       ("46."), so that a correction is cited alike in every edition. -->
                  <th scope="row"><xsl:value-of select="position()"/></th>
                  <!-- "p. 212, n. 1": each part kept on one line, a line break allowed between them. -->
                  <td><a href="#{$id}"><xsl:value-of select="string-join(ed:correction-place(.) ! translate(., ' ', '&#xA0;'), ', ')"/></a></td>
                  <xsl:variable name="context" select="if (ed:needs-context(.)) then ed:context-words(.) else ()"/>
                  <td class="sic-cell">
                    <xsl:sequence select="html:context($context[1])"/>
                    <xsl:apply-templates select="ed:source-reading(.)/node()" mode="ed:as-published"/>
                    <xsl:sequence select="html:context($context[2])"/>
                  </td>
                  <td>
                    <xsl:sequence select="html:context($context[1])"/>
                    <xsl:apply-templates select="ed:corrected-reading(.)/node()" mode="html:pop"/>
                    <xsl:sequence select="html:context($context[2])"/>
                  </td>
                  <td><xsl:value-of select="if (ed:certainty(.)) then ed:certainty(.) else if (tei:reg) then 'regularised' else '—'"/></td>
                  <td>
                    <xsl:for-each select="ed:correction-categories(.)">
                      <span class="category"><xsl:sequence select="html:category-text(.)"/></span>
                      <xsl:text> </xsl:text>
                    </xsl:for-each>
                    <xsl:for-each select="ed:correction-notes(.)">
                      <xsl:apply-templates mode="html:pop"/>
                      <xsl:text> </xsl:text>
                      <a href="#{ed:note-id(.)}">(note <xsl:value-of select="ed:note-label(.)"/>)</a>
                    </xsl:for-each>
                  </td>
                </tr>
              </xsl:for-each>
            </tbody>
          </table>
        </div>
      </section>
    </xsl:if>
  </xsl:template>

  <!-- The words quoted beside a correction of punctuation or spacing (ed:context-words),
       set apart from the readings themselves. -->
  <xsl:function name="html:context" as="element()?">
    <xsl:param name="words" as="xs:string?"/>
    <xsl:if test="normalize-space($words)">
      <span class="context"><xsl:value-of select="$words"/></span>
    </xsl:if>
  </xsl:function>

  <!-- A category's description, rendered once: most of the corrections share a dozen. -->
  <xsl:function name="html:category-text" as="node()*" cache="yes">
    <xsl:param name="category" as="element(tei:category)"/>
    <xsl:apply-templates select="$category/tei:catDesc/node()" mode="html:pop"/>
  </xsl:function>

  <!-- The hint under the heading, which speaks of the switch: the EPUB, which has none,
       puts a paragraph of its own in its place (epub.xsl, mode ebk:xhtml). -->
  <xsl:template name="html:corrections-hint">
    <p class="section-hint">Every place where the editors changed the source’s reading. The text shows the corrected reading<span class="screen-only">; the switch at the top shows the source as published</span>.<xsl:value-of select="(ed:regularisation-hint($html:doc), ed:gap-in-reading-hint($html:doc)) ! (' ' || .)" separator=""/></p>
  </xsl:template>

  <!-- ============================ registers ============================ -->

  <xsl:function name="html:register-id" as="xs:string">
    <xsl:param name="kind" as="xs:string"/>
    <xsl:sequence select="'register-' || $kind"/>
  </xsl:function>

  <!-- A register's heading: the TEI's own (listPerson/head), or "Persons" (ed:register-name,
       capitalised). -->
  <xsl:function name="html:register-title" as="xs:string">
    <xsl:param name="kind" as="xs:string"/>
    <xsl:variable name="name" select="ed:register-name($kind)"/>
    <xsl:sequence select="(ed:register-heading($html:doc, $kind), upper-case(substring($name, 1, 1)) || substring($name, 2))[1]"/>
  </xsl:function>

  <xsl:template name="html:registers">
    <xsl:variable name="kinds" select="ed:register-kinds($html:doc)"/>
    <xsl:if test="exists($kinds)">
      <section class="registers" id="registers" aria-labelledby="registers-h">
        <h2 id="registers-h">Index</h2>
        <!-- The note locators explained by the document's first note (ed:example-locator). -->
        <p class="section-hint">Every person, place and organisation the text names, with each page where it is named<xsl:for-each select="ed:example-locator($html:doc)"> (“<xsl:value-of select="?1"/>”: <xsl:value-of select="?4"/>)</xsl:for-each><span class="screen-only">; the page numbers link back to the place in the text, and where a page names it more than once, the letters after the number (a, b, c …, without i, l and o) lead to each place</span>.</p>
        <xsl:for-each select="$kinds">
          <xsl:variable name="kind" select="."/>
          <section class="register {$kind}" id="{html:register-id($kind)}" aria-labelledby="{html:register-id($kind)}-h">
            <h3 id="{html:register-id($kind)}-h"><xsl:value-of select="html:register-title($kind)"/></h3>
            <!-- The entries and the "see" references among them (ed:see-references, as the
                 text edition's index has them: computed once for each register), sorted
                 together once, for the list and (the entries) the map. -->
            <xsl:variable name="items" as="item()*" select="ed:index-items(ed:entries-unsorted($html:doc, $kind), ed:see-references($html:doc, $kind))"/>
            <xsl:if test="$kind = 'place' and not($epub-only)">
              <xsl:call-template name="html:map">
                <xsl:with-param name="places" select="$items[. instance of element()]"/>
              </xsl:call-template>
            </xsl:if>
            <ul class="entries">
              <xsl:for-each select="$items">
                <xsl:choose>
                  <xsl:when test=". instance of map(*)">
                    <xsl:call-template name="html:see-item"><xsl:with-param name="see" select="."/></xsl:call-template>
                  </xsl:when>
                  <xsl:otherwise><xsl:apply-templates select="." mode="html:register"/></xsl:otherwise>
                </xsl:choose>
              </xsl:for-each>
            </ul>
          </section>
        </xsl:for-each>
      </section>
    </xsl:if>
  </xsl:template>

  <!-- An entry's label: a name in another language, or with words in one, keeps its lang
       ("ru"); the others are the label as a string (persons as "Surname, Forename"). -->
  <xsl:function name="html:entry-label" as="node()*">
    <xsl:param name="entry" as="element()"/>
    <xsl:variable name="std" select="ed:standard-name($entry)"/>
    <xsl:choose>
      <xsl:when test="$std/@xml:lang">
        <span><xsl:apply-templates select="$std/@xml:lang" mode="html:lang"/><xsl:value-of select="ed:entity-label($entry)"/></span>
      </xsl:when>
      <xsl:when test="not($std//tei:foreign)"><xsl:value-of select="ed:entity-label($entry)"/></xsl:when>
      <!-- "Surname, Forename", as ed:entity-label orders it, with the parts' markup -->
      <xsl:when test="$std/tei:surname">
        <xsl:for-each select="$std/tei:surname">
          <xsl:if test="position() gt 1">, </xsl:if>
          <xsl:apply-templates mode="html:pop"/>
        </xsl:for-each>
        <xsl:for-each select="$std/node()[not(self::tei:surname)][normalize-space()]">
          <xsl:value-of select="if (position() eq 1) then ', ' else ' '"/>
          <xsl:apply-templates select="." mode="html:pop"/>
        </xsl:for-each>
      </xsl:when>
      <xsl:otherwise><xsl:apply-templates select="$std/node()" mode="html:pop"/></xsl:otherwise>
    </xsl:choose>
  </xsl:function>

  <!-- A "see" reference (ed:see-references), filed among the entries as in the text
       edition's index: "Leningrad, see Petrograd." (several entries: "; " between them). It
       is no entry (class "see", not "entry"): the entry it links to has the pages. Its name
       keeps the language of the source's form it reads as ("Warszawa", pl). A template, not
       a function, so that its elements are written straight into the list. -->
  <xsl:template name="html:see-item">
    <xsl:param name="see" as="map(*)"/>
    <xsl:variable name="name" select="$see?name"/>
    <li class="see">
      <span class="entry-name">
        <xsl:apply-templates select="($see?entries/*[@type = 'source'][@xml:lang][normalize-space() = $name])[1]/@xml:lang" mode="html:lang"/>
        <xsl:value-of select="$name"/>
      </span>
      <xsl:text>, </xsl:text>
      <i>see</i>
      <xsl:text> </xsl:text>
      <xsl:for-each select="$see?entries">
        <xsl:if test="position() gt 1">; </xsl:if>
        <a href="#{@xml:id}"><xsl:sequence select="html:entry-label(.)"/></a>
      </xsl:for-each>
      <xsl:text>.</xsl:text>
    </li>
  </xsl:template>

  <xsl:template match="tei:person | tei:place | tei:org" mode="html:register">
    <li id="{@xml:id}" class="entry">
      <span class="entry-name"><xsl:sequence select="html:entry-label(.)"/></span>
      <xsl:apply-templates select="." mode="html:entry-facts"/>
      <xsl:variable name="forms" select="ed:source-forms(.)"/>
      <xsl:if test="exists($forms)">
        <!-- Each form in its language ("Warszawa", pl): that of the first source form with
             its text, looked for among the forms that have one (most entries have none:
             their forms are one string). -->
        <xsl:variable name="in-languages" select="*[@type = 'source'][@xml:lang]"/>
        <span class="forms"> In the source: <xsl:choose>
            <xsl:when test="empty($in-languages)"><xsl:value-of select="ed:quoted-forms($forms)"/></xsl:when>
            <xsl:otherwise>
              <xsl:for-each select="$forms">
                <xsl:variable name="form" select="."/>
                <xsl:variable name="lang" select="$in-languages[normalize-space() = $form][1]/@xml:lang"/>
                <xsl:if test="position() gt 1">, </xsl:if>
                <xsl:text>“</xsl:text>
                <xsl:choose>
                  <xsl:when test="$lang"><span><xsl:apply-templates select="$lang" mode="html:lang"/><xsl:value-of select="$form"/></span></xsl:when>
                  <xsl:otherwise><xsl:value-of select="$form"/></xsl:otherwise>
                </xsl:choose>
                <xsl:text>”</xsl:text>
              </xsl:for-each>
            </xsl:otherwise>
          </xsl:choose>.</span>
      </xsl:if>
      <xsl:for-each select="tei:idno[ed:authority-url(.)]">
        <xsl:text> </xsl:text>
        <a class="authority" href="{ed:authority-url(.)}"><xsl:value-of select="ed:authority-name(.)"/>: <xsl:value-of select="normalize-space(.)"/></a>
      </xsl:for-each>
      <xsl:text> </xsl:text>
      <span class="occurrences">
        <xsl:variable name="locators" select="ed:locators(.)"/>
        <xsl:choose>
          <xsl:when test="empty($locators)">Not named in the text.</xsl:when>
          <xsl:otherwise>
            <!-- "pp." for two locators or more, even on one page ("pp. 213, 213n3") -->
            <xsl:value-of select="if (count($locators) gt 1) then 'pp.&#xA0;' else 'p.&#xA0;'"/>
            <xsl:variable name="entry-id" select="string(@xml:id)"/>
            <!-- Each locator once, in the Chicago style ("213", "215n8": ed:locators), as
                 a link to the place it names; several occurrences on one locator link by
                 letters after it ("213 a b c", as Wikipedia links back to several places):
                 every occurrence is linked from here, once, and links back. -->
            <xsl:for-each select="$locators">
              <xsl:if test="position() gt 1">, </xsl:if>
              <!-- [label, page, note, place, positions]: ed:locators -->
              <xsl:variable name="label" select="?1"/>
              <xsl:variable name="note" select="?3"/>
              <xsl:variable name="positions" select="?5"/>
              <xsl:choose>
                <xsl:when test="empty($positions[2])">
                  <!-- A page number's purpose is clear from its list ("pp. 212, 213");
                       "215n8" is not, so a screen reader is told "215n8: page 215, note 8"
                       (the name begins with the text shown, which speech input says,
                       WCAG 2.5.3), and a pointer's hover "In note 8". -->
                  <a href="#{ed:occurrence-id($entry-id, $positions)}">
                    <xsl:if test="exists($note)">
                      <xsl:attribute name="title" select="'In note ' || $note"/>
                      <xsl:attribute name="aria-label" select="$label || ': ' || ?4"/>
                    </xsl:if>
                    <xsl:value-of select="$label"/>
                  </a>
                </xsl:when>
                <xsl:otherwise>
                  <!-- The locator, then its letters (ed:letter-label, as the editors'
                       notes are lettered), raised; no-break spaces keep the first letter
                       with the locator and the last with the one before it, so that a
                       line never begins with a letter alone. Each letter is named by where
                       it leads: "b: page 213, mention 2 of 6". -->
                  <xsl:variable name="place" select="?4 || ', mention '"/>
                  <xsl:variable name="of" select="' of ' || count($positions)"/>
                  <xsl:value-of select="$label"/>
                  <sup class="mentions">
                    <xsl:for-each select="$positions">
                      <xsl:value-of select="if (position() eq 1 or position() eq last()) then '&#xA0;' else ' '"/>
                      <xsl:variable name="letter" select="ed:letter-label(position())"/>
                      <a href="#{ed:occurrence-id($entry-id, .)}" aria-label="{$letter}: {$place}{position()}{$of}"><xsl:value-of select="$letter"/></a>
                    </xsl:for-each>
                  </sup>
                </xsl:otherwise>
              </xsl:choose>
            </xsl:for-each>
          </xsl:otherwise>
        </xsl:choose>
      </span>
    </li>
  </xsl:template>

  <xsl:template match="tei:person" mode="html:entry-facts">
    <xsl:for-each select="ed:life-span(.)"> (<xsl:value-of select="."/>)</xsl:for-each>
    <xsl:call-template name="html:entry-note"/>
  </xsl:template>

  <!-- ". Role in one sentence." – the entry's note, ending with exactly one full stop, and
       none after a name that ends with one ("Schumacher, H.") when nothing stands between
       them (ed:entity-label is cached: asking again costs a lookup). -->
  <xsl:template name="html:entry-note">
    <xsl:param name="stopped" as="xs:boolean" select="ends-with(ed:entity-label(.), '.')
      and (if (self::tei:person) then empty(ed:life-span(.)) else empty(ed:aside-names(.)))"/>
    <xsl:choose>
      <xsl:when test="tei:note">
        <xsl:value-of select="if ($stopped) then ' ' else '. '"/>
        <!-- Every note, in order, each ending as a sentence. -->
        <xsl:for-each select="tei:note">
          <xsl:if test="position() gt 1"><xsl:text> </xsl:text></xsl:if>
          <span class="entry-note"><xsl:apply-templates select="@xml:lang" mode="html:lang"/><xsl:apply-templates select="node()" mode="html:pop"/></span>
          <xsl:if test="not(ed:ends-a-sentence(.))">.</xsl:if>
        </xsl:for-each>
      </xsl:when>
      <xsl:when test="not($stopped)">.</xsl:when>
    </xsl:choose>
  </xsl:template>

  <xsl:template match="tei:place" mode="html:entry-facts">
    <xsl:variable name="aside" select="ed:aside-names(.)"/>
    <xsl:call-template name="html:aside-names">
      <xsl:with-param name="names" select="$aside"/>
    </xsl:call-template>
    <xsl:variable name="country" select="ed:country(.)"/>
    <xsl:for-each select="$country">, <xsl:value-of select="normalize-space(.)"/></xsl:for-each>
    <xsl:call-template name="html:entry-note">
      <xsl:with-param name="stopped" select="empty($aside) and empty($country) and ends-with(ed:entity-label(.), '.')"/>
    </xsl:call-template>
    <xsl:variable name="geo" select="ed:geo(.)"/>
    <xsl:if test="exists($geo)">
      <xsl:text> </xsl:text>
      <a class="maplink" href="{ed:map-url($geo)}" title="Open the place on OpenStreetMap">
        <xsl:value-of select="ed:coordinates($geo)"/>
      </a>
      <xsl:text>.</xsl:text>
    </xsl:if>
  </xsl:template>

  <xsl:template match="tei:org" mode="html:entry-facts">
    <xsl:call-template name="html:aside-names">
      <xsl:with-param name="names" select="ed:aside-names(.)"/>
    </xsl:call-template>
    <xsl:call-template name="html:entry-note"/>
  </xsl:template>

  <!-- " (CB of MOPR; Central Committee of MOPR, from 2 March 1923)": the names in
       parentheses after an entry's name (ed:aside-names), a name in another language in
       its language ("МОПР", lang="ru"). -->
  <xsl:template name="html:aside-names">
    <xsl:param name="names" as="element()*"/>
    <xsl:if test="exists($names)">
      <xsl:text> (</xsl:text>
      <xsl:for-each select="$names">
        <xsl:value-of select="ed:aside-separator($names, position())"/>
        <xsl:choose>
          <xsl:when test="@xml:lang">
            <xsl:variable name="parts" select="ed:aside-name-parts(.)"/>
            <xsl:value-of select="$parts[1]"/>
            <span><xsl:apply-templates select="@xml:lang" mode="html:lang"/><xsl:value-of select="$parts[2]"/></span>
            <xsl:value-of select="$parts[3]"/>
          </xsl:when>
          <xsl:otherwise><xsl:value-of select="ed:aside-name-text(.)"/></xsl:otherwise>
        </xsl:choose>
      </xsl:for-each>
      <xsl:text>)</xsl:text>
    </xsl:if>
  </xsl:template>

  <!-- ============================ links ============================ -->

  <!-- A link only to a safe target; an unsafe one keeps its text and loses the link
       (tei_tools.transform reports it as a warning with its line). -->
  <xsl:template name="html:link">
    <xsl:param name="href" as="xs:string?"/>
    <xsl:param name="content"/>
    <!-- The TEI element the link is made from (a ref), if any: its language, and the
         corrections it holds. -->
    <xsl:param name="source" as="element()?"/>
    <xsl:variable name="safe" select="ed:safe-url($href)"/>
    <xsl:choose>
      <xsl:when test="$safe">
        <a href="{$safe}">
          <xsl:for-each select="$source">
            <xsl:call-template name="html:described-by-corrections"/>
            <xsl:apply-templates select="@xml:lang" mode="html:lang"/>
          </xsl:for-each>
          <xsl:sequence select="$content"/>
        </a>
      </xsl:when>
      <xsl:otherwise><span class="link-dropped"><xsl:apply-templates select="$source/@xml:lang" mode="html:lang"/><xsl:sequence select="$content"/></span></xsl:otherwise>
    </xsl:choose>
  </xsl:template>
</xsl:stylesheet>
