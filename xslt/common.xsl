<?xml version="1.0" encoding="UTF-8"?>
<!--
  Shared by every output (html.xsl, epub.xsl, text.xsl): what the edition says about
  itself (titles, editors, source, licence), how its parts are found (registers, notes,
  corrections, pages) and the plain reading text. Formats import this file and add only
  their markup; no logic here is copied into a format.

  Functions live in the namespace urn:tei-tools:edition (prefix ed). Every id they make is
  derived from the document (xml:id, @n, position), never from generate-id(), so two
  builds of one file give the same bytes whatever else the process built before.
-->
<xsl:stylesheet version="3.0"
  xmlns:xsl="http://www.w3.org/1999/XSL/Transform"
  xmlns:xs="http://www.w3.org/2001/XMLSchema"
  xmlns:tei="http://www.tei-c.org/ns/1.0"
  xmlns:ed="urn:tei-tools:edition"
  xmlns:map="http://www.w3.org/2005/xpath-functions/map"
  exclude-result-prefixes="#all">

  <!-- Parameters every format receives from tei_tools.transform (through the API). -->
  <!-- The moment the build claims: SOURCE_DATE_EPOCH or the revision date, never the clock. -->
  <xsl:param name="build-date" as="xs:string" select="'1980-01-01T00:00:00Z'"/>
  <xsl:param name="tool-version" as="xs:string" select="''"/>
  <!-- The file's stem: names outputs and is a fallback identifier. -->
  <xsl:param name="stem" as="xs:string" select="''"/>

  <!-- No xsl:strip-space: Saxon would then see the source through a whitespace-stripping
       view that slows every step of navigation (about a fifth of the HTML transform).
       Templates instead ignore whitespace-only text where it would matter (normalize-space,
       selecting element children); between block elements it is harmless in the outputs. -->

  <!-- Positions computed once per document (generate-id() is used only as a map key,
       never written): counting preceding nodes per call would be quadratic. -->
  <xsl:variable name="ed:editorial-numbers" as="map(xs:string, xs:integer)">
    <xsl:map>
      <xsl:for-each select="ed:editorial-notes(/)">
        <xsl:map-entry key="generate-id()" select="position()"/>
      </xsl:for-each>
    </xsl:map>
  </xsl:variable>
  <xsl:variable name="ed:correction-numbers" as="map(xs:string, xs:integer)">
    <xsl:map>
      <xsl:for-each select="ed:corrections(/)">
        <xsl:map-entry key="generate-id()" select="position()"/>
      </xsl:for-each>
    </xsl:map>
  </xsl:variable>
  <!-- The names in the text (header and registers excluded) by the register entry their
       first pointer names, in document order: one grouping pass for the whole document
       instead of a key lookup and a filter per entry. A name in the source's reading of a
       correction (sic, orig) is not one: the editions print that reading as plain text, and
       the corrected reading carries the name. -->
  <xsl:variable name="ed:occurrences-by-entry" as="map(xs:string, element()*)">
    <xsl:map>
      <xsl:for-each-group select="//tei:text//*[@ref][not(ancestor::tei:sic or ancestor::tei:orig)]" group-by="substring-after(tokenize(@ref)[1], '#')">
        <xsl:map-entry key="current-grouping-key()" select="current-group()"/>
      </xsl:for-each-group>
    </xsl:map>
  </xsl:variable>
  <!-- Occurrences of each register entry numbered 1..N in document order. -->
  <xsl:variable name="ed:occurrence-numbers" as="map(xs:string, xs:integer)">
    <xsl:map>
      <xsl:for-each select="map:for-each($ed:occurrences-by-entry, function($id, $names) { array{ $names } })">
        <xsl:for-each select="?*">
          <xsl:map-entry key="generate-id()" select="position()"/>
        </xsl:for-each>
      </xsl:for-each>
    </xsl:map>
  </xsl:variable>

  <!-- Editorial notes by the correction (choice) they argue for. -->
  <xsl:key name="ed:notes-on" match="tei:text//tei:note[@target][@type = 'editorial' or @resp]" use="tokenize(@target) ! substring-after(., '#')"/>

  <!-- ============================ the header ============================ -->

  <xsl:function name="ed:title" as="xs:string">
    <xsl:param name="doc" as="node()"/>
    <xsl:variable name="t" select="root($doc)//tei:titleStmt/tei:title[@type = 'supplied'][1]"/>
    <xsl:sequence select="normalize-space(if ($t) then $t else (root($doc)//tei:titleStmt/tei:title)[1])"/>
  </xsl:function>

  <xsl:function name="ed:subtitle" as="xs:string?">
    <xsl:param name="doc" as="node()"/>
    <xsl:sequence select="(root($doc)//tei:titleStmt/tei:title[@type = 'sub'])[1] ! normalize-space(.)"/>
  </xsl:function>

  <!-- The editors: each respStmt's persons and organisations, with the responsibility. -->
  <xsl:function name="ed:editors" as="element()*">
    <xsl:param name="doc" as="node()"/>
    <xsl:sequence select="ed:responsibility-statements($doc)/(tei:persName | tei:orgName | tei:name)"/>
  </xsl:function>

  <!-- The header's statements of responsibility (respStmt), each a group of names with
       what they did. -->
  <xsl:function name="ed:responsibility-statements" as="element(tei:respStmt)*">
    <xsl:param name="doc" as="node()"/>
    <xsl:sequence select="root($doc)//tei:titleStmt/tei:respStmt"/>
  </xsl:function>

  <!-- "The tei-tools editors": one statement's names. -->
  <xsl:function name="ed:responsible-names" as="xs:string">
    <xsl:param name="statement" as="element(tei:respStmt)"/>
    <xsl:sequence select="string-join($statement/(tei:persName | tei:orgName | tei:name) ! normalize-space(.), ', ')"/>
  </xsl:function>

  <!-- "Transcription, TEI encoding, …": what one statement's names did. -->
  <xsl:function name="ed:responsibilities" as="xs:string*">
    <xsl:param name="statement" as="element(tei:respStmt)"/>
    <xsl:sequence select="$statement/tei:resp[normalize-space()] ! normalize-space(.)"/>
  </xsl:function>

  <xsl:function name="ed:editor-names" as="xs:string*">
    <xsl:param name="doc" as="node()"/>
    <xsl:sequence select="ed:editors($doc) ! normalize-space(.)"/>
  </xsl:function>

  <xsl:function name="ed:publisher" as="xs:string?">
    <xsl:param name="doc" as="node()"/>
    <xsl:sequence select="(root($doc)//tei:publicationStmt/tei:publisher)[1] ! normalize-space(.)"/>
  </xsl:function>

  <xsl:function name="ed:identifier" as="xs:string">
    <xsl:param name="doc" as="node()"/>
    <xsl:variable name="idno" select="(root($doc)//tei:publicationStmt/tei:idno[@type = 'edition'])[1]"/>
    <xsl:sequence select="if ($idno) then normalize-space($idno) else $stem"/>
  </xsl:function>

  <xsl:function name="ed:edition-date" as="xs:string?">
    <xsl:param name="doc" as="node()"/>
    <xsl:sequence select="(root($doc)//tei:publicationStmt/tei:date/@when)[1] ! normalize-space(.)"/>
  </xsl:function>

  <!-- The edition statement ("First edition, revised (version 1.1)") and its version ("1.1"):
       a citation names the version, since a revision may change the text. -->
  <xsl:function name="ed:edition-statement" as="xs:string?">
    <xsl:param name="doc" as="node()"/>
    <xsl:sequence select="(root($doc)//tei:editionStmt/tei:edition)[1][normalize-space()] ! normalize-space(.)"/>
  </xsl:function>

  <xsl:function name="ed:edition-version" as="xs:string?">
    <xsl:param name="doc" as="node()"/>
    <xsl:sequence select="(root($doc)//tei:editionStmt/tei:edition/@n)[1][normalize-space()] ! normalize-space(.)"/>
  </xsl:function>

  <xsl:function name="ed:licence" as="element()?">
    <xsl:param name="doc" as="node()"/>
    <xsl:sequence select="(root($doc)//tei:publicationStmt/tei:availability/tei:licence)[1]"/>
  </xsl:function>

  <!-- What the header says of the rights besides a licence (or without one): every output
       states it, or a licence alone would claim more than the editors can. -->
  <xsl:function name="ed:rights-statements" as="element(tei:p)*">
    <xsl:param name="doc" as="node()"/>
    <xsl:sequence select="root($doc)//tei:publicationStmt/tei:availability/tei:p[normalize-space()]"/>
  </xsl:function>

  <xsl:function name="ed:language" as="xs:string">
    <xsl:param name="doc" as="node()"/>
    <!-- A language code may be written with spaces around it (its datatype collapses them);
         HTML's lang must not have them. An empty one (xml:lang="" is valid) says nothing. -->
    <xsl:sequence select="(((root($doc)//tei:langUsage/tei:language/@ident, root($doc)/tei:TEI/@xml:lang) ! normalize-space(.))[.], 'en')[1]"/>
  </xsl:function>

  <xsl:function name="ed:keywords" as="xs:string*">
    <xsl:param name="doc" as="node()"/>
    <xsl:sequence select="root($doc)//tei:textClass/tei:keywords/tei:term ! normalize-space(.)"/>
  </xsl:function>

  <!-- "tei-tools 1.1.0", the tool that built an output; nothing when the caller gave no
       version (the outputs then name none rather than a bare "tei-tools"). -->
  <xsl:function name="ed:tool-name" as="xs:string?">
    <xsl:sequence select="normalize-space($tool-version)[.] ! ('tei-tools ' || .)"/>
  </xsl:function>

  <!-- The day the build claims (the first ten characters of $build-date). -->
  <xsl:function name="ed:build-day" as="xs:string">
    <xsl:sequence select="substring($build-date, 1, 10)"/>
  </xsl:function>

  <xsl:function name="ed:source" as="element()?">
    <xsl:param name="doc" as="node()"/>
    <xsl:sequence select="(root($doc)//tei:sourceDesc/tei:bibl[@xml:id = 'source'], root($doc)//tei:sourceDesc/tei:bibl)[1]"/>
  </xsl:function>

  <xsl:function name="ed:source-title" as="xs:string">
    <xsl:param name="doc" as="node()"/>
    <xsl:sequence select="string(ed:source($doc)/tei:title[1]) => normalize-space()"/>
  </xsl:function>

  <!-- "212–215": the source's printed pages. -->
  <xsl:function name="ed:source-pages" as="xs:string">
    <xsl:param name="doc" as="node()"/>
    <xsl:variable name="scope" select="ed:source($doc)/tei:biblScope[@unit = 'page'][1]"/>
    <xsl:variable name="from" select="$scope/@from ! normalize-space(.)"/>
    <xsl:variable name="to" select="$scope/@to ! normalize-space(.)"/>
    <xsl:sequence select="if ($from and $to and $from != $to) then $from || '–' || $to
      else string(($from, normalize-space($scope))[1])"/>
  </xsl:function>

  <!-- The source described by its parts, in the order every output and record gives them:
       its title, publisher and printed pages ("pages 212–215 of the printed original",
       "page 7 of …": the web text was not printed, its original was), each only when the
       header gives it. -->
  <xsl:function name="ed:source-parts" as="xs:string*">
    <xsl:param name="doc" as="node()"/>
    <xsl:variable name="pages" select="ed:source-pages($doc)"/>
    <xsl:sequence select="(ed:source-title($doc),
      (ed:source($doc)/tei:publisher)[1] ! normalize-space(.),
      $pages[.] ! ((if (contains(., '–')) then 'pages ' else 'page ') || . || ' of the printed original'))[.]"/>
  </xsl:function>

  <!-- How the reading editions name the source's file: a path in the edition's sources
       (the repository, the deposit package), which the reading editions do not carry. -->
  <xsl:variable name="ed:source-file-intro" as="xs:string" select="'the copy received is kept with the edition’s sources as '"/>

  <!-- The source's file as the editors received it ("edition/source/…"). -->
  <xsl:function name="ed:source-file" as="xs:string?">
    <xsl:param name="doc" as="node()"/>
    <xsl:sequence select="(ed:source($doc)/tei:idno[@type = 'file'])[1][normalize-space()] ! normalize-space(.)"/>
  </xsl:function>

  <!-- The original that the source translates, as the header describes it. -->
  <xsl:function name="ed:originals" as="element(tei:bibl)*">
    <xsl:param name="doc" as="node()"/>
    <xsl:sequence select="ed:source($doc)/tei:relatedItem[@type = 'original']/tei:bibl"/>
  </xsl:function>

  <!-- "author: not named in the source; title: …": an original's description,
       each part labelled (its note is the caller's to render, with its markup). -->
  <xsl:function name="ed:original-description" as="xs:string">
    <xsl:param name="bibl" as="element(tei:bibl)"/>
    <xsl:sequence select="string-join($bibl/*[not(self::tei:note)][normalize-space()] ! ed:bibl-part(.), '; ')"/>
  </xsl:function>

  <!-- The source's status: its note (e.g. "an English machine translation …"), as plain
       text for a metadata record; a quotation in it keeps its quotation marks. -->
  <xsl:function name="ed:source-status" as="xs:string?">
    <xsl:param name="doc" as="node()"/>
    <xsl:for-each select="(ed:source($doc)/tei:note)[1]">
      <xsl:variable name="text"><xsl:apply-templates mode="ed:plain-prose"/></xsl:variable>
      <xsl:sequence select="normalize-space($text)"/>
    </xsl:for-each>
  </xsl:function>

  <!-- The editors' prose as plain text: the header's rule that a q is shown in quotation
       marks holds in a metadata record too. -->
  <xsl:mode name="ed:plain-prose" on-no-match="text-only-copy"/>
  <xsl:template match="tei:q | tei:quote" mode="ed:plain-prose">“<xsl:apply-templates mode="#current"/>”</xsl:template>

  <!-- " (ed.)" after one person, " (eds.)" after several names or a body ("Institute of
       History (eds.)"); nothing after bodies that are named as editors already ("The
       tei-tools editors", "Editorial Board"): "The tei-tools editors (eds.)" said it twice. -->
  <xsl:function name="ed:editors-abbreviation" as="xs:string">
    <xsl:param name="doc" as="node()"/>
    <xsl:variable name="editors" select="ed:editors($doc)"/>
    <xsl:sequence select="if (count($editors) = 1 and $editors/self::tei:persName) then ' (ed.)'
      else if (every $body in $editors satisfies ($body/self::tei:orgName and contains(lower-case($body), 'editor'))) then ''
      else ' (eds.)'"/>
  </xsl:function>

  <!-- One line to cite the edition by; a page is added by the caller. -->
  <xsl:function name="ed:citation" as="xs:string">
    <xsl:param name="doc" as="node()"/>
    <xsl:variable name="editors" select="string-join(ed:editor-names($doc), ', ')"/>
    <!-- Author-date order as in humanities style guides: editors, title, kind and year,
         identifier, then what the edition is based on. -->
    <xsl:sequence select="string-join((
      $editors ! (. || ed:editors-abbreviation($doc)),
      ed:title($doc),
      string-join(('Digital edition', ed:edition-version($doc) ! ('version ' || .), ed:edition-date($doc) ! substring(., 1, 4)), ', '),
      ed:publisher($doc)[. != $editors],
      'Identifier ' || ed:identifier($doc),
      ed:source-parts($doc)[1] ! ('Based on: ' || string-join(ed:source-parts($doc), ', '))
      )[normalize-space()], '. ') || '.'"/>
  </xsl:function>

  <!-- The source keeps its own quotation marks (quotation/@marks="all"), so its quote and q
       add none; in the editors' own prose (their notes, the header, the registers) q has no
       marks in the text, and every output must add them. -->
  <xsl:function name="ed:needs-quotation-marks" as="xs:boolean">
    <xsl:param name="q" as="element()"/>
    <xsl:sequence select="exists($q/ancestor::tei:note[@type = 'editorial'] | $q/ancestor::tei:teiHeader | $q/ancestor::tei:standOff)"/>
  </xsl:function>

  <!-- ============================ pages ============================ -->

  <xsl:function name="ed:pages" as="element(tei:pb)*">
    <xsl:param name="doc" as="node()"/>
    <xsl:sequence select="root($doc)//tei:text//tei:pb[@n]"/>
  </xsl:function>

  <!-- The source's page breaks, found once: a document has a few, so comparing a node's
       position with each is cheaper than an accumulator (a walk over the whole document,
       about a millisecond more per transform) or the preceding axis (a walk back per call). -->
  <xsl:variable name="ed:root" select="/"/>
  <xsl:variable name="ed:page-breaks" as="element(tei:pb)*" select="ed:pages(/)"/>
  <!-- Their numbers as the outputs write them (ed:page-number), in the same order. -->
  <xsl:variable name="ed:page-numbers" as="xs:string*" select="$ed:page-breaks ! ed:page-number(.)"/>

  <!-- The printed page a node stands on: that of the last page break before it, itself, or
       within it (a passage that crosses a page ends on the later page), that is the last
       break not after the node's last descendant: one comparison of positions per break
       (testing the break's ancestors for the node walked up the tree for each). In the
       document being transformed, those breaks are the first N of its breaks, so the page
       is the Nth number. Before the first page break (a supplied head), the text is on the
       first page. -->
  <xsl:function name="ed:page" as="xs:string">
    <xsl:param name="node" as="node()"/>
    <xsl:variable name="end" select="($node/descendant-or-self::node())[last()]"/>
    <xsl:choose>
      <xsl:when test="root($node) is $ed:root">
        <xsl:variable name="n" select="count($ed:page-breaks[not($end &lt;&lt; .)])"/>
        <xsl:sequence select="if ($n gt 0) then $ed:page-numbers[$n] else ($ed:page-numbers[1], '')[1]"/>
      </xsl:when>
      <xsl:otherwise>
        <xsl:variable name="page" select="ed:pages($node)[not($end &lt;&lt; .)][last()]"/>
        <xsl:sequence select="ed:page-number(if ($page) then $page else (root($node)//tei:text//tei:pb)[1])"/>
      </xsl:otherwise>
    </xsl:choose>
  </xsl:function>

  <!-- The printed page on which $node begins (a note: the page of its marker). Cheaper than
       ed:page, which finds the node's last descendant: no walk through the node. -->
  <xsl:function name="ed:start-page" as="xs:string">
    <xsl:param name="node" as="node()"/>
    <xsl:variable name="n" select="if (root($node) is $ed:root) then count($ed:page-breaks[. &lt;&lt; $node]) else -1"/>
    <xsl:sequence select="if ($n lt 0) then ed:page($node) else if ($n gt 0) then $ed:page-numbers[$n] else ($ed:page-numbers[1], '')[1]"/>
  </xsl:function>

  <!-- A page break's number as the outputs write it (ids, links, markers): @n is an
       xs:positiveInteger, whose lexical forms include " 213 " and "0213"; written as they
       stand they would give an id with spaces, or "p0213" where readers link to "#p213".
       Other values (another schema's labels) are written with their spaces collapsed. -->
  <xsl:function name="ed:page-number" as="xs:string">
    <xsl:param name="pb" as="element(tei:pb)?"/>
    <xsl:variable name="n" select="normalize-space($pb/@n)"/>
    <xsl:sequence select="if ($n castable as xs:integer) then string(xs:integer($n)) else $n"/>
  </xsl:function>

  <xsl:function name="ed:page-id" as="xs:string">
    <xsl:param name="n" as="xs:string"/>
    <xsl:sequence select="'p' || $n"/>
  </xsl:function>

  <!-- ============================ registers ============================ -->

  <!-- The register entry a name points to. Elements are found by xml:id with id(), here and
       below, not with a key: the parser already indexed every xml:id (an ID by definition),
       while a key would be built by a walk over the whole document. -->
  <xsl:function name="ed:entity" as="element()?">
    <xsl:param name="name" as="element()"/>
    <xsl:sequence select="id(substring-after(tokenize($name/@ref)[1], '#'), root($name))[self::tei:person or self::tei:place or self::tei:org][1]"/>
  </xsl:function>

  <xsl:function name="ed:entity-kind" as="xs:string">
    <xsl:param name="entry" as="element()"/>
    <xsl:sequence select="local-name($entry)"/>
  </xsl:function>

  <!-- The standard form of an entry's name, for display: "Zetkin, Clara" style for persons.
       This and ed:entity-name are asked again and again for the same entry (sorting, the
       registers, every name in the text): cache="yes" keeps each answer for the transform. -->
  <xsl:function name="ed:entity-label" as="xs:string" cache="yes">
    <xsl:param name="entry" as="element()"/>
    <xsl:variable name="std" select="ed:standard-name($entry)"/>
    <xsl:sequence select="if ($std/tei:surname)
      then string-join(($std/tei:surname ! normalize-space(.), normalize-space(string-join($std/node()[not(self::tei:surname)], ' '))[.]), ', ')
      else normalize-space($std)"/>
  </xsl:function>

  <!-- The reading order form of the standard name ("Clara Zetkin"). -->
  <xsl:function name="ed:entity-name" as="xs:string" cache="yes">
    <xsl:param name="entry" as="element()"/>
    <xsl:sequence select="normalize-space(ed:standard-name($entry))"/>
  </xsl:function>

  <!-- The forms the source gives an entry, each once, when any of them differs from its
       standard name: all of them then ("Vyatka; Kirov", not "Kirov" alone, which would
       read as the source's only form); none when the source uses the standard name only.
       (distinct-values() only when there are several: usually there is one.) -->
  <xsl:function name="ed:source-forms" as="xs:string*">
    <xsl:param name="entry" as="element()"/>
    <xsl:variable name="sources" select="$entry/*[@type = 'source'] ! normalize-space(.)"/>
    <xsl:variable name="forms" select="if (count($sources) le 1) then $sources else distinct-values($sources)"/>
    <xsl:sequence select="if (some $form in $forms satisfies $form != ed:entity-name($entry)) then $forms else ()"/>
  </xsl:function>

  <!-- The element of an entry's standard name: the first name with text (an empty standard
       name gives way to the next). -->
  <xsl:function name="ed:standard-name" as="element()?">
    <xsl:param name="entry" as="element()"/>
    <xsl:sequence select="($entry/*[@type = ('standard', 'full')], $entry/(tei:persName | tei:placeName | tei:orgName))[normalize-space()][1]"/>
  </xsl:function>

  <!-- Register entries in display order (by their standard name). -->
  <xsl:function name="ed:entries" as="element()*">
    <xsl:param name="doc" as="node()"/>
    <xsl:param name="kind" as="xs:string"/>
    <xsl:sequence select="ed:in-label-order(ed:entries-unsorted($doc, $kind))"/>
  </xsl:function>

  <xsl:function name="ed:in-label-order" as="element()*">
    <xsl:param name="entries" as="element()*"/>
    <xsl:perform-sort select="$entries">
      <xsl:sort select="lower-case(ed:entity-label(.))" lang="en"/>
      <xsl:sort select="@xml:id"/>
    </xsl:perform-sort>
  </xsl:function>

  <!-- Register entries of one kind, in document order. The three kinds the outputs show are
       found by their names (a name test), not by local-name(), a string made for every
       element of the registers. -->
  <xsl:function name="ed:entries-unsorted" as="element()*">
    <xsl:param name="doc" as="node()"/>
    <xsl:param name="kind" as="xs:string"/>
    <xsl:variable name="registers" select="root($doc)//tei:standOff"/>
    <xsl:sequence select="if ($kind = 'person') then $registers//tei:person[@xml:id]
      else if ($kind = 'place') then $registers//tei:place[@xml:id]
      else if ($kind = 'org') then $registers//tei:org[@xml:id]
      else $registers//*[local-name() = $kind][@xml:id]"/>
  </xsl:function>

  <!-- ============================ "see" references ============================ -->

  <!-- The names by which the reading text refers to entries of one kind where a reader of
       the index would not look for them: "Leninakan" for "Aleksandropol", "Comintern" for
       "Communist International". Each is a map {'name': the form as the text reads it,
       'entries': the entries it names}, for a "see" line of the text edition's index
       (docs/text.md) and a "see" item of the HTML and EPUB registers. A form whose first two words (or one word)
       begin the entry's label is filed beside the entry already ("Central Committee of the
       RCP (b)" by "Central Committee of the Russian Communist Party (Bolsheviks)"), one
       that differs in its second word is not ("Central Committee" for MOPR's "Central
       Bureau of MOPR", several entries away); persons are filed under their surnames, which
       a reader knows to look for. A line names every entry the form stands for in the text, those
       filed beside it too: "Communist Party" is the Russian party on page 214 and the
       American one in the same paragraph, and a line naming only the first would send the
       reader of the second astray. (The occurrences leave out names inside a source
       reading, sic or orig, which the reading text lacks.) -->
  <xsl:function name="ed:see-references" as="map(*)*">
    <xsl:param name="doc" as="node()"/>
    <xsl:param name="kind" as="xs:string"/>
    <xsl:variable name="pairs" as="map(*)*">
      <xsl:for-each select="if ($kind = 'person') then () else ed:entries-unsorted($doc, $kind)">
        <xsl:variable name="entry" select="."/>
        <xsl:variable name="name" select="ed:entity-label(.)"/>
        <xsl:variable name="label" select="ed:filing-form($name)"/>
        <xsl:for-each select="distinct-values(ed:occurrences(.) ! ed:reading-form(.))[. ne $name]">
          <xsl:variable name="form" select="ed:filing-form(.)"/>
          <xsl:if test="$form != '' and $form != $label">
            <xsl:sequence select="map{'name': ., 'entries': $entry, 'elsewhere': not(ed:filed-beside($form, $label))}"/>
          </xsl:if>
        </xsl:for-each>
      </xsl:for-each>
    </xsl:variable>
    <xsl:for-each-group select="$pairs" group-by="?name">
      <xsl:if test="current-group()?elsewhere = true()">
        <xsl:variable name="entries" select="current-group()?entries"/>
        <xsl:sequence select="map{'name': current-grouping-key(), 'entries': if (exists($entries[2])) then ed:in-label-order($entries) else $entries}"/>
      </xsl:if>
    </xsl:for-each-group>
  </xsl:function>

  <!-- A name as the reading text gives it (corrections applied, notes left out); most
       names are plain text, read without a pass over their content. -->
  <xsl:function name="ed:reading-form" as="xs:string">
    <xsl:param name="name" as="element()"/>
    <xsl:choose>
      <xsl:when test="empty($name/*)"><xsl:sequence select="normalize-space($name)"/></xsl:when>
      <xsl:otherwise>
        <xsl:variable name="parts" as="xs:string*">
          <xsl:apply-templates select="$name/node()" mode="ed:reading"/>
        </xsl:variable>
        <xsl:sequence select="normalize-space(string-join($parts))"/>
      </xsl:otherwise>
    </xsl:choose>
  </xsl:function>

  <!-- A name as it is filed: lower case, without the quotation marks a name may carry
       ('"Red Aid" of Lithuania') and its full stops ("U.S.S.R." is filed letter by letter
       as "USSR", as the collation passes over spaces). translate() drops them; a regular
       expression would cost more per name. The characters it drops are a literal, of
       which Saxon makes its table once: from a variable, it made it at every call (1.2 µs
       of the 2.8 a call took). -->
  <xsl:function name="ed:filing-form" as="xs:string">
    <xsl:param name="name" as="xs:string"/>
    <xsl:sequence select="lower-case(normalize-space(translate($name, '&quot;“”‘’«»„.''', '')))"/>
  </xsl:function>

  <!-- Whether a name (its filing form, single spaces) is filed beside an entry's label: its
       first two words, or its one word, begin the label. Strings, not tokenize(), which
       made a string of every word of every label (0.3 ms a transform). -->
  <xsl:function name="ed:filed-beside" as="xs:boolean">
    <xsl:param name="form" as="xs:string"/>
    <xsl:param name="label" as="xs:string"/>
    <xsl:variable name="rest" select="substring-after($form, ' ')"/>
    <xsl:variable name="words" select="if ($rest = '') then $form
      else substring-before($form, ' ') || ' ' || substring-before($rest || ' ', ' ')"/>
    <xsl:sequence select="$label = $words or starts-with($label, $words || ' ')"/>
  </xsl:function>

  <!-- An index's lines in alphabetical order: the entries of one kind, in the order of
       ed:entries, and the "see" references (maps) among them. -->
  <xsl:function name="ed:index-items" as="item()*">
    <xsl:param name="entries" as="element()*"/>
    <xsl:param name="see-references" as="map(*)*"/>
    <xsl:perform-sort select="$entries, $see-references">
      <xsl:sort select="if (. instance of map(*)) then ed:filing-form(?name) else lower-case(ed:entity-label(.))" lang="en"/>
      <xsl:sort select="if (. instance of map(*)) then '' else string(@xml:id)"/>
    </xsl:perform-sort>
  </xsl:function>

  <!-- The registers the editions show, in their order (those with entries), and their names. -->
  <xsl:function name="ed:register-kinds" as="xs:string*">
    <xsl:param name="doc" as="node()"/>
    <xsl:sequence select="('person', 'place', 'org')[exists(ed:entries-unsorted($doc, .))]"/>
  </xsl:function>

  <xsl:function name="ed:register-name" as="xs:string">
    <xsl:param name="kind" as="xs:string"/>
    <xsl:sequence select="map{'person': 'persons', 'place': 'places', 'org': 'organisations'}($kind)"/>
  </xsl:function>

  <!-- The register's own heading in the TEI (listPerson/head, …; the first list's), if any. -->
  <xsl:function name="ed:register-heading" as="xs:string?">
    <xsl:param name="doc" as="node()"/>
    <xsl:param name="kind" as="xs:string"/>
    <!-- By name, not local-name() = …: Saxon answers //name from an index, without a walk. -->
    <xsl:variable name="lists" select="if ($kind = 'person') then root($doc)//tei:listPerson
      else if ($kind = 'place') then root($doc)//tei:listPlace else root($doc)//tei:listOrg"/>
    <xsl:sequence select="($lists[ancestor::tei:standOff]/tei:head ! normalize-space(.))[.][1]"/>
  </xsl:function>

  <!-- Every place in the text that names an entry, in document order. -->
  <xsl:function name="ed:occurrences" as="element()*">
    <xsl:param name="entry" as="element()"/>
    <xsl:sequence select="$ed:occurrences-by-entry(string($entry/@xml:id))"/>
  </xsl:function>

  <!-- Where an index sends the reader for an entry, in the Chicago style: one locator per
       page where the text names it ("213") and one per note on that page that names it
       ("213n8": page 213, note 8; the note's label as the edition shows it, of the
       innermost note, or, for a continuation, of the note it continues). Page by page in
       the order of the text; on each page the text's locator first, then the notes' in the
       order of their first occurrence ("215, 215n8", not "215n8, 215" where a note's anchor
       comes first). Every occurrence is in exactly one locator. The HTML and EPUB editions
       link each occurrence from its locator; the text edition lists the labels.
       Each locator is an array [label, page, note, place, positions]: 1 "213n8" (as
       ed:locator-label), 2 "213", 3 "8" (empty for the text), 4 "page 213, note 8" (as
       ed:locator-place), 5 the numbers of its occurrences among the entry's
       (ed:occurrences, from 1), ascending. (Arrays, not maps: a map for each of the
       document's 118 locators cost 0.12 ms per transform.) -->
  <xsl:function name="ed:locators" as="array(*)*">
    <xsl:param name="entry" as="element()"/>
    <xsl:variable name="occurrences" select="ed:occurrences($entry)"/>
    <!-- Each occurrence's page, asked once. -->
    <xsl:variable name="pages" as="xs:string*" select="$occurrences ! ed:page(.)"/>
    <xsl:choose>
      <!-- Most entries are never named in a note (asked once for all their occurrences):
           a locator per page. -->
      <xsl:when test="empty($occurrences/ancestor::tei:note)">
        <xsl:sequence select="distinct-values($pages) ! [., ., (), ed:locator-place(., ()), index-of($pages, .)]"/>
      </xsl:when>
      <xsl:otherwise>
        <!-- Each occurrence's note label, '' for one in the text. (ancestor:: counts from
             the nearest: [1] is the innermost note.) -->
        <xsl:variable name="notes" as="xs:string*" select="$occurrences ! (ancestor::tei:note[1] ! ed:note-label(ed:first-part(.)), '')[1]"/>
        <!-- The occurrences' numbers grouped by page, then by note: each group in document
             order, the groups in the order of their first member, the text's first. -->
        <xsl:for-each-group select="1 to count($occurrences)" group-by="subsequence($pages, ., 1)">
          <xsl:variable name="page" select="current-grouping-key()"/>
          <xsl:variable name="in-text" select="current-group()[subsequence($notes, ., 1) eq '']"/>
          <xsl:if test="exists($in-text)">
            <xsl:sequence select="[$page, $page, (), ed:locator-place($page, ()), $in-text]"/>
          </xsl:if>
          <xsl:for-each-group select="current-group()[subsequence($notes, ., 1) ne '']" group-by="subsequence($notes, ., 1)">
            <xsl:variable name="note" select="current-grouping-key()"/>
            <xsl:sequence select="[ed:locator-label($page, $note), $page, $note, ed:locator-place($page, $note), current-group()]"/>
          </xsl:for-each-group>
        </xsl:for-each-group>
      </xsl:otherwise>
    </xsl:choose>
  </xsl:function>

  <!-- A locator as an index prints it: "213", or "213n8" for note 8 on page 213. -->
  <xsl:function name="ed:locator-label" as="xs:string">
    <xsl:param name="page" as="xs:string"/>
    <xsl:param name="note" as="xs:string?"/>
    <xsl:sequence select="$page || $note ! ('n' || .)"/>
  </xsl:function>

  <!-- The same in words, for a screen reader and a reader's key: "page 213, note 8". -->
  <xsl:function name="ed:locator-place" as="xs:string">
    <xsl:param name="page" as="xs:string"/>
    <xsl:param name="note" as="xs:string?"/>
    <xsl:sequence select="'page ' || $page || $note ! (', note ' || .)"/>
  </xsl:function>

  <!-- A note locator to explain the form by ("212n1": page 212, note 1), as ed:locators
       makes them (without positions): that of the document's first note (the author's,
       else the editors'), on the page of its marker; empty in a document without notes,
       whose index has no note locators. -->
  <xsl:function name="ed:example-locator" as="array(*)?">
    <xsl:param name="doc" as="node()"/>
    <xsl:variable name="note" select="(ed:author-notes($doc)[1], ed:editorial-notes($doc)[1])[1]"/>
    <xsl:sequence select="$note ! (let $page := ed:start-page(.), $label := ed:note-label(.)
      return [ed:locator-label($page, $label), $page, $label, ed:locator-place($page, $label), ()])"/>
  </xsl:function>

  <!-- "1857–1933": the years a person was born and died, "?" for one not recorded; empty
       when neither is. A year known only within bounds keeps them ("1880/1885 – not after
       1937"), and the dash is then spaced, as between words. -->
  <xsl:function name="ed:life-span" as="xs:string?">
    <xsl:param name="person" as="element()"/>
    <xsl:sequence select="if ($person/(tei:birth | tei:death))
      then ed:range-words(ed:event-year($person/tei:birth[1]), ed:event-year($person/tei:death[1]))
      else ()"/>
  </xsl:function>

  <!-- The names a register prints in parentheses after an entry's name, in this order:
       its official name then or its name in another language (a place's type="official",
       an organisation's further type="full" names), its abbreviations, the names it bore
       since (type="later") and today's name (a place's type="modern"). The name itself
       stays the one a reader looks up: "Petrograd (Leningrad, January 1924 – 1991; now
       Saint Petersburg, since 1991)", "Central Bureau of MOPR (CB of MOPR; Central
       Committee of MOPR, from 2 March 1923)". A person's are none (the years follow). -->
  <xsl:function name="ed:aside-names" as="element()*">
    <xsl:param name="entry" as="element()"/>
    <xsl:variable name="names" select="$entry/(tei:placeName | tei:orgName)[normalize-space()]"/>
    <xsl:sequence select="$names[@type = 'official'], $names[@type = 'full'] except ed:standard-name($entry),
      $names[@type = 'abbr'], $names[@type = 'later'], $names[@type = 'modern']"/>
  </xsl:function>

  <!-- One of them in words: "Leningrad, January 1924 – 1991", "now Tver, since 1990". -->
  <xsl:function name="ed:aside-name-text" as="xs:string">
    <xsl:param name="name" as="element()"/>
    <xsl:sequence select="string-join(ed:aside-name-parts($name))"/>
  </xsl:function>

  <!-- The same in three parts, the editors' words around the name ("now ", "Tver",
       ", since 1990"), so that an edition can mark the name alone as being in its own
       language. -->
  <xsl:function name="ed:aside-name-parts" as="xs:string+">
    <xsl:param name="name" as="element()"/>
    <xsl:sequence select="if ($name/@type = 'modern')
      then ('now ', normalize-space($name), string($name/@from ! (', since ' || ed:date-words(.))))
      else ('', normalize-space($name), string(ed:period-words($name/@from, $name/@to) ! (', ' || .)))"/>
  </xsl:function>

  <!-- What stands before one of them: nothing first, ", " between abbreviations ("MOPR,
       МОПР"), "; " otherwise. -->
  <xsl:function name="ed:aside-separator" as="xs:string">
    <xsl:param name="names" as="element()*"/>
    <xsl:param name="position" as="xs:integer"/>
    <xsl:sequence select="if ($position = 1) then ''
      else if ($names[$position]/@type = 'abbr' and $names[$position - 1]/@type = 'abbr') then ', ' else '; '"/>
  </xsl:function>

  <!-- All of them as one string, without the parentheses; empty when there are none.
       Cached: the registers, the index and every name's hover title ask. -->
  <xsl:function name="ed:aside-text" as="xs:string?" cache="yes">
    <xsl:param name="entry" as="element()"/>
    <xsl:variable name="names" select="ed:aside-names($entry)"/>
    <xsl:sequence select="if (empty($names)) then ()
      else string-join(for $i in 1 to count($names) return ed:aside-separator($names, $i) || ed:aside-name-text($names[$i]))"/>
  </xsl:function>

  <!-- A period in words: "1931–1990", "January 1924 – 1991" (spaced when a date is several
       words), "from 1924", "until 1990"; empty without dates. -->
  <xsl:function name="ed:period-words" as="xs:string?">
    <xsl:param name="from" as="attribute()?"/>
    <xsl:param name="to" as="attribute()?"/>
    <xsl:variable name="start" select="$from ! ed:date-words(.)"/>
    <xsl:variable name="end" select="$to ! ed:date-words(.)"/>
    <xsl:sequence select="if (exists($start) and exists($end)) then ed:range-words($start, $end)
      else if (exists($start)) then 'from ' || $start
      else if (exists($end)) then 'until ' || $end
      else ()"/>
  </xsl:function>

  <!-- "1857–1933", "January 1924 – 1991": an en dash between a range's ends, spaced when
       either is several words (life spans and the registers' periods alike). -->
  <xsl:function name="ed:range-words" as="xs:string">
    <xsl:param name="start" as="xs:string"/>
    <xsl:param name="end" as="xs:string"/>
    <xsl:sequence select="$start || (if (contains($start || $end, ' ')) then ' – ' else '–') || $end"/>
  </xsl:function>

  <!-- A W3C date in words: "1924", "January 1924", "26 January 1924"; any other form as it is. -->
  <xsl:function name="ed:date-words" as="xs:string">
    <xsl:param name="date" as="xs:string"/>
    <xsl:variable name="value" select="normalize-space($date)"/>
    <xsl:sequence select="if (matches($value, '^\d{4}-\d{2}(-\d{2})?$')) then
        string-join((substring($value, 9, 2)[.] ! string(xs:integer(.)),
          $ed:month-names[xs:integer(substring($value, 6, 2))], substring($value, 1, 4)), ' ')
      else $value"/>
  </xsl:function>

  <xsl:variable name="ed:month-names" as="xs:string+" select="('January', 'February', 'March', 'April', 'May', 'June',
    'July', 'August', 'September', 'October', 'November', 'December')"/>

  <!-- The year of a birth or death (att.datable): "1857" (@when); "1880/1885" between two
       years, "1880" when both bounds fall in it (@notBefore or @from with @notAfter or @to);
       "not before 1880" or "not after 1885" with one bound; "?" when none is given. -->
  <xsl:function name="ed:event-year" as="xs:string">
    <xsl:param name="event" as="element()?"/>
    <xsl:variable name="earliest" select="($event/(@notBefore | @from) ! ed:year(.))[. ne '?'][1]"/>
    <xsl:variable name="latest" select="($event/(@notAfter | @to) ! ed:year(.))[. ne '?'][1]"/>
    <xsl:sequence select="if ($event/@when) then ed:year($event/@when)
      else if (exists($earliest) and exists($latest)) then distinct-values(($earliest, $latest)) => string-join('/')
      else if (exists($earliest)) then 'not before ' || $earliest
      else if (exists($latest)) then 'not after ' || $latest
      else '?'"/>
  </xsl:function>

  <!-- The year of a W3C date: "1857-07-05" and " 1857 " give "1857", "-0044" (44 BC in
       XML Schema's count) gives "-0044"; "?" for none, or a day of every year (xs:gMonthDay), which has none. -->
  <xsl:function name="ed:year" as="xs:string">
    <xsl:param name="when" as="attribute()?"/>
    <xsl:variable name="date" select="normalize-space($when)"/>
    <xsl:variable name="sign" select="if (starts-with($date, '-') and not(starts-with($date, '--'))) then '-' else ''"/>
    <!-- The year runs to the first "-" (month), "T" (time), "Z" or "+" (time zone). Not a
         regular expression: Saxon's cost as much as the rest of the register. -->
    <xsl:variable name="year" select="substring-before(translate(substring($date, string-length($sign) + 1), 'TZ+', '---') || '-', '-')"/>
    <xsl:sequence select="if (string-length($year) ge 4 and translate($year, '0123456789', '') = '') then $sign || $year else '?'"/>
  </xsl:function>

  <!-- A stable id for one occurrence: the entry's id and the occurrence's position. -->
  <!-- Empty for a name that is no occurrence (in the header or a register's prose, or in a
       source reading: ed:occurrences-by-entry). -->
  <xsl:function name="ed:occurrence-id" as="xs:string?">
    <xsl:param name="name" as="element()"/>
    <xsl:sequence select="$ed:occurrence-numbers(generate-id($name)) ! ed:occurrence-id(substring-after(tokenize($name/@ref)[1], '#'), .)"/>
  </xsl:function>

  <!-- The same id from the entry's id and the position, for callers that already know both.
       It gives way to an editor's xml:id of the same form (ed:free-id); whether any has that
       form is asked once for all of them (ed:occurrence-ids-free): each occurrence's id is
       written twice (the name and its register link), and a lookup for each cost 0.25 ms
       per HTML transform. -->
  <xsl:function name="ed:occurrence-id" as="xs:string">
    <xsl:param name="entry-id" as="xs:string"/>
    <xsl:param name="position" as="xs:integer"/>
    <xsl:variable name="id" select="'occ-' || $entry-id || '-' || $position"/>
    <xsl:sequence select="if ($ed:occurrence-ids-free) then $id else ed:free-id($id, $ed:root)"/>
  </xsl:function>

  <!-- True when no xml:id of the document is the plain id of an occurrence ("occ-" entry
       "-" number): one call of id() with all of them. -->
  <xsl:variable name="ed:occurrence-ids-free" as="xs:boolean" select="empty(id(
    map:for-each($ed:occurrences-by-entry, function($id, $names) { (1 to count($names)) ! ('occ-' || $id || '-' || .) }), $ed:root))"/>

  <!-- "lat lon" in WGS84 decimal degrees, as two numbers; empty without coordinates. -->
  <xsl:function name="ed:geo" as="xs:double*">
    <xsl:param name="place" as="element()"/>
    <xsl:variable name="parts" select="tokenize(normalize-space(($place/tei:location/tei:geo)[1]))"/>
    <xsl:sequence select="if (count($parts) = 2 and (every $p in $parts satisfies $p castable as xs:double))
      then $parts ! xs:double(.) else ()"/>
  </xsl:function>

  <!-- Whether a text already ends a sentence (a full stop, "!" or "?"), so that no second
       full stop is added after it (the registers' notes, the rights statements). -->
  <xsl:function name="ed:ends-a-sentence" as="xs:boolean">
    <xsl:param name="text" as="xs:string"/>
    <xsl:variable name="normalized" select="normalize-space($text)"/>
    <xsl:sequence select="substring($normalized, string-length($normalized)) = ('.', '!', '?')"/>
  </xsl:function>

  <!-- "52.23° N, 21.01° E": coordinates as a reader reads them (HTML and EPUB registers,
       the text edition's index). -->
  <xsl:function name="ed:coordinates" as="xs:string">
    <xsl:param name="geo" as="xs:double*"/>
    <xsl:sequence select="format-number(abs($geo[1]), '0.00') || '° ' || (if ($geo[1] lt 0) then 'S' else 'N') || ', '
      || format-number(abs($geo[2]), '0.00') || '° ' || (if ($geo[2] lt 0) then 'W' else 'E')"/>
  </xsl:function>

  <!-- A place's country, unless its modern name says it already: "Soviet Russia (…; now
       Russia).", not "…, Russia." -->
  <xsl:function name="ed:country" as="element(tei:country)?">
    <xsl:param name="place" as="element()"/>
    <xsl:sequence select="$place/tei:country[1][not(normalize-space(.) = $place/tei:placeName[@type = 'modern'] ! normalize-space(.))]"/>
  </xsl:function>

  <!-- Authority files: the link an identifier resolves to, or empty for an unknown type. -->
  <xsl:function name="ed:authority-url" as="xs:string?">
    <xsl:param name="idno" as="element(tei:idno)"/>
    <xsl:variable name="v" select="encode-for-uri(normalize-space($idno))"/>
    <xsl:variable name="base" select="map{
      'wikidata': 'https://www.wikidata.org/wiki/',
      'viaf': 'https://viaf.org/viaf/',
      'gnd': 'https://d-nb.info/gnd/',
      'geonames': 'https://www.geonames.org/'}(string($idno/@type))"/>
    <xsl:sequence select="$base ! (. || $v)"/>
  </xsl:function>

  <xsl:function name="ed:authority-name" as="xs:string">
    <xsl:param name="idno" as="element(tei:idno)"/>
    <xsl:sequence select="(map{'wikidata': 'Wikidata', 'viaf': 'VIAF', 'gnd': 'GND', 'geonames': 'GeoNames'}(string($idno/@type)), string($idno/@type))[1]"/>
  </xsl:function>

  <!-- A plain link to an open map site centred on a place's coordinates (ed:geo). -->
  <xsl:function name="ed:map-url" as="xs:string?">
    <xsl:param name="g" as="xs:double*"/>
    <xsl:sequence select="if (count($g) = 2) then
      'https://www.openstreetmap.org/?mlat=' || $g[1] || '&amp;mlon=' || $g[2] || '#map=8/' || $g[1] || '/' || $g[2]
      else ()"/>
  </xsl:function>

  <!-- ============================ notes ============================ -->

  <!-- The author's notes as readers count them: continuations are part of their first note. -->
  <xsl:function name="ed:author-notes" as="element(tei:note)*">
    <xsl:param name="doc" as="node()"/>
    <xsl:sequence select="root($doc)//tei:text//tei:note[ed:is-author-note(.)][not(@prev)]"/>
  </xsl:function>

  <!-- Where a correction stands, as a reader cites it: ("p. 212"), or ("p. 212", "n. 1") in
       an author's note (the number of the note it belongs to, for a continuation). The
       callers join the parts with ", ". -->
  <xsl:function name="ed:correction-place" as="xs:string+">
    <xsl:param name="choice" as="element()"/>
    <xsl:variable name="note" select="$choice/ancestor::tei:note[not(ed:is-editorial-note(.))][1]"/>
    <xsl:sequence select="'p. ' || ed:page($choice), $note ! ('n. ' || ed:note-label(ed:first-part(.)))"/>
  </xsl:function>

  <!-- The first part of a note printed across pages, whose number the whole note bears: a
       continuation points back with @prev to the part before it, which may itself be a
       continuation. (At most 100 steps back: a chain that loops ends somewhere.) -->
  <xsl:function name="ed:first-part" as="element(tei:note)">
    <xsl:param name="note" as="element(tei:note)"/>
    <xsl:sequence select="ed:first-part($note, 100)"/>
  </xsl:function>

  <xsl:function name="ed:first-part" as="element(tei:note)">
    <xsl:param name="note" as="element(tei:note)"/>
    <xsl:param name="steps" as="xs:integer"/>
    <xsl:variable name="before" select="($note/@prev ! id(substring-after(normalize-space(.), '#'), root($note)))[self::tei:note][1]"/>
    <xsl:sequence select="if (exists($before) and $steps gt 0) then ed:first-part($before, $steps - 1) else $note"/>
  </xsl:function>

  <xsl:function name="ed:editorial-notes" as="element(tei:note)*">
    <xsl:param name="doc" as="node()"/>
    <xsl:sequence select="root($doc)//tei:text//tei:note[ed:is-editorial-note(.)]"/>
  </xsl:function>

  <xsl:function name="ed:is-editorial-note" as="xs:boolean">
    <xsl:param name="note" as="element(tei:note)"/>
    <xsl:sequence select="$note/@type = 'editorial' or exists($note/@resp)"/>
  </xsl:function>

  <xsl:function name="ed:is-author-note" as="xs:boolean">
    <xsl:param name="note" as="element(tei:note)"/>
    <xsl:sequence select="not(ed:is-editorial-note($note))"/>
  </xsl:function>

  <!-- The parts after the first of a note split over pages, in order. -->
  <xsl:function name="ed:continuations" as="element(tei:note)*">
    <xsl:param name="note" as="element(tei:note)"/>
    <xsl:variable name="next" select="id(substring-after(string($note/@next), '#'), root($note))[self::tei:note]"/>
    <xsl:sequence select="if ($next) then ($next, ed:continuations($next)) else ()"/>
  </xsl:function>

  <!-- The n-th letter label: a … z without i, l and o, which look like 1 and 0 in many
       fonts ("[l]" beside the author's "[1]", a raised "l" after a page number); then aa,
       ab … zz, aaa … from the same letters. The editors' notes and a locator's several mentions
       ("213 a b c") are lettered alike. -->
  <xsl:function name="ed:letter-label" as="xs:string">
    <xsl:param name="n" as="xs:integer"/>
    <xsl:variable name="base" select="string-length($ed:letters)"/>
    <!-- as a spreadsheet names its columns, so that every number has a label of its own -->
    <xsl:sequence select="(if ($n gt $base) then ed:letter-label(($n - 1) idiv $base) else '')
      || substring($ed:letters, ($n - 1) mod $base + 1, 1)"/>
  </xsl:function>
  <xsl:variable name="ed:letters" as="xs:string" select="'abcdefghjkmnpqrstuvwxyz'"/>
  <!-- What the reading editions tell their readers of the letters left out of $ed:letters. -->
  <xsl:variable name="ed:letters-left-out" as="xs:string" select="'i, l and o are not used'"/>
  <xsl:variable name="ed:letters-left-out-why" as="xs:string" select="$ed:letters-left-out || ': they look like 1 and 0'"/>

  <!-- The printed pages a note stands on, as the editions give them with it: the page of
       its marker ("212"), and, for a note that runs over to a later page (in a
       continuation, next/prev, or across a page break of its own), the page where its
       last part ends ("212", "213": "pp. 212–213"). -->
  <xsl:function name="ed:note-pages" as="xs:string+">
    <xsl:param name="note" as="element(tei:note)"/>
    <xsl:variable name="first" select="ed:start-page($note)"/>
    <xsl:variable name="last" select="ed:page(($note, ed:continuations($note))[last()])"/>
    <xsl:sequence select="$first, $last[. ne $first]"/>
  </xsl:function>

  <!-- "p. 215", "pp. 212–213": where a note stands (ed:note-pages), as every edition gives
       it after the note. -->
  <xsl:function name="ed:note-pages-label" as="xs:string">
    <xsl:param name="note" as="element(tei:note)"/>
    <xsl:variable name="pages" select="ed:note-pages($note)"/>
    <xsl:sequence select="(if (exists($pages[2])) then 'pp. ' else 'p. ') || string-join($pages, '–')"/>
  </xsl:function>

  <!-- What a reader calls a note: "1" … "12" for the author's, "a", "b" … for the editors'. -->
  <xsl:function name="ed:note-label" as="xs:string">
    <xsl:param name="note" as="element(tei:note)"/>
    <xsl:choose>
      <xsl:when test="ed:is-editorial-note($note)">
        <xsl:sequence select="ed:letter-label($ed:editorial-numbers(generate-id($note)))"/>
      </xsl:when>
      <xsl:when test="$note/@n"><xsl:sequence select="string($note/@n)"/></xsl:when>
      <xsl:otherwise>
        <xsl:sequence select="string(count(ed:author-notes($note)[. &lt;&lt; $note]) + 1)"/>
      </xsl:otherwise>
    </xsl:choose>
  </xsl:function>

  <!-- Ids for a note and its marker: from xml:id when present, else from the label. -->
  <xsl:function name="ed:note-id" as="xs:string">
    <xsl:param name="note" as="element(tei:note)"/>
    <xsl:sequence select="if ($note/@xml:id) then string($note/@xml:id)
      else ed:free-id((if (ed:is-editorial-note($note)) then 'en-' else 'fn') || ed:note-label($note), $note)"/>
  </xsl:function>

  <!-- The divisions a table of contents lists under $parent (the body or a division): those
       with a heading, the article's own excepted (its heading is the edition's text). -->
  <xsl:function name="ed:sections" as="element(tei:div)*">
    <xsl:param name="parent" as="element()"/>
    <xsl:variable name="article" select="root($parent)/tei:TEI/tei:text/tei:body/tei:div[@type = 'article'][1]"/>
    <xsl:sequence select="for $div in $parent/tei:div
      return if ($div is $article or empty($div/tei:head)) then ed:sections($div) else $div"/>
  </xsl:function>

  <!-- The divisions with a heading under $parent as nested XHTML lists of links ($list: "ul"
       in the HTML edition's contents, "ol" in the EPUB's navigation document, whose links
       epub.xsl resolves to their documents); nothing when there are none. -->
  <xsl:template name="ed:section-list">
    <xsl:param name="parent" as="element()?"/>
    <xsl:param name="list" as="xs:string"/>
    <xsl:variable name="sections" select="$parent ! ed:sections(.)"/>
    <xsl:if test="$sections">
      <xsl:element name="{$list}" namespace="http://www.w3.org/1999/xhtml">
        <xsl:for-each select="$sections">
          <li xmlns="http://www.w3.org/1999/xhtml">
            <a href="#{ed:section-id(.)}"><xsl:value-of select="ed:reading-form(tei:head[1])"/></a>
            <xsl:call-template name="ed:section-list">
              <xsl:with-param name="parent" select="."/>
              <xsl:with-param name="list" select="$list"/>
            </xsl:call-template>
          </li>
        </xsl:for-each>
      </xsl:element>
    </xsl:if>
  </xsl:template>

  <!-- A division's id in the reading editions: "sec-N", N its place among the text's
       divisions in document order (stable from build to build). -->
  <xsl:function name="ed:section-id" as="xs:string">
    <xsl:param name="div" as="element(tei:div)"/>
    <xsl:sequence select="ed:free-id('sec-' || count(($div/preceding::tei:div, $div/ancestor-or-self::tei:div)[ancestor::tei:body]), $div)"/>
  </xsl:function>

  <!-- $id, or $id with "-" added as often as needed, so that it is no xml:id of the document:
       an id the editions make up (for a note or a correction without an xml:id, for a
       note's marker) never takes one an editor chose (schema/edition.sch keeps the
       editions' fixed ids and page anchors free on the editors' side). -->
  <xsl:function name="ed:free-id" as="xs:string">
    <xsl:param name="id" as="xs:string"/>
    <xsl:param name="node" as="node()"/>
    <xsl:sequence select="if (exists(id($id, root($node)))) then ed:free-id($id || '-', $node) else $id"/>
  </xsl:function>

  <xsl:function name="ed:noteref-id" as="xs:string">
    <xsl:param name="note" as="element(tei:note)"/>
    <xsl:sequence select="ed:free-id('ref-' || ed:note-id($note), $note)"/>
  </xsl:function>

  <!-- ============================ corrections ============================ -->

  <!-- Every editorial intervention in the text: corrections and regularisations (not one
       inside another's source reading, which the editions print as plain text). -->
  <xsl:function name="ed:corrections" as="element(tei:choice)*">
    <xsl:param name="doc" as="node()"/>
    <xsl:sequence select="root($doc)//tei:text//tei:choice[(tei:sic and tei:corr) or (tei:orig and tei:reg)][not(ancestor::tei:sic or ancestor::tei:orig)]"/>
  </xsl:function>

  <xsl:function name="ed:correction-id" as="xs:string">
    <xsl:param name="choice" as="element(tei:choice)"/>
    <xsl:sequence select="if ($choice/@xml:id) then string($choice/@xml:id)
      else ed:free-id('corr-' || $ed:correction-numbers(generate-id($choice)), $choice)"/>
  </xsl:function>

  <xsl:function name="ed:correction-kind" as="xs:string">
    <xsl:param name="choice" as="element(tei:choice)"/>
    <xsl:sequence select="if ($choice/tei:corr) then 'correction' else 'regularisation'"/>
  </xsl:function>

  <xsl:function name="ed:source-reading" as="element()?">
    <xsl:param name="choice" as="element(tei:choice)"/>
    <xsl:sequence select="($choice/tei:sic, $choice/tei:orig)[1]"/>
  </xsl:function>

  <xsl:function name="ed:corrected-reading" as="element()?">
    <xsl:param name="choice" as="element(tei:choice)"/>
    <xsl:sequence select="($choice/tei:corr, $choice/tei:reg)[1]"/>
  </xsl:function>

  <!-- The page breaks inside a choice's source reading that its corrected reading lacks
       (a page that begins inside the words the editors corrected): the reading editions put
       them before the correction, so that the page keeps its marker and anchor. -->
  <xsl:function name="ed:breaks-in-source-reading" as="element(tei:pb)*">
    <xsl:param name="choice" as="element(tei:choice)"/>
    <xsl:variable name="kept" select="ed:corrected-reading($choice)//tei:pb/@n"/>
    <xsl:sequence select="ed:source-reading($choice)//tei:pb[not(@n = $kept)]"/>
  </xsl:function>

  <xsl:function name="ed:certainty" as="xs:string">
    <xsl:param name="choice" as="element(tei:choice)"/>
    <xsl:sequence select="normalize-space((ed:corrected-reading($choice)/@cert, '')[1])"/>
  </xsl:function>

  <!-- The kinds of error a correction belongs to: taxonomy categories its @ana points to. -->
  <xsl:function name="ed:correction-categories" as="element(tei:category)*">
    <xsl:param name="choice" as="element(tei:choice)"/>
    <xsl:sequence select="tokenize(ed:corrected-reading($choice)/@ana) ! id(substring-after(., '#'), root($choice))[self::tei:category]"/>
  </xsl:function>

  <!-- What a regularisation is, for the HTML and EPUB lists of corrections, whose
       certainty column reads "regularised" for one (empty without any). -->
  <xsl:function name="ed:regularisation-hint" as="xs:string?">
    <xsl:param name="doc" as="document-node()"/>
    <xsl:sequence select="'A regularisation changes a form the source uses to the one the edition uses, and corrects no error: its certainty reads “regularised”.'[exists(ed:corrections($doc)[tei:reg])]"/>
  </xsl:function>

  <!-- What "[…]" means where a list of corrections quotes a source's reading with text lost
       from it (HTML and EPUB hints; the text edition says it under "How to read this text"). -->
  <xsl:function name="ed:gap-in-reading-hint" as="xs:string?">
    <xsl:param name="doc" as="document-node()"/>
    <xsl:sequence select="'In a source’s reading, […] marks text lost in the source.'[exists(ed:gaps-in-source-readings($doc))]"/>
  </xsl:function>

  <!-- The editorial notes that argue for a correction (they point to it with @target). -->
  <xsl:function name="ed:correction-notes" as="element(tei:note)*">
    <xsl:param name="choice" as="element(tei:choice)"/>
    <xsl:sequence select="if ($choice/@xml:id) then key('ed:notes-on', string($choice/@xml:id), root($choice)) else ()"/>
  </xsl:function>

  <!-- A correction of punctuation or spacing ("-" to " - ", " The" to ", the") means nothing
       read alone in a list of corrections: the lists quote it with the word on either side,
       ("Party-to" to "Party - to"). Only readings with no letter or digit, or with a space
       or an apostrophe at an edge, need it; the test of letters runs on short readings
       only (a regular expression per correction would cost more than the rest of it). -->
  <xsl:function name="ed:needs-context" as="xs:boolean">
    <xsl:param name="choice" as="element(tei:choice)"/>
    <xsl:sequence select="some $reading in (ed:source-reading($choice), ed:corrected-reading($choice)) ! string(.)
      satisfies (normalize-space(substring($reading, 1, 1)) = ''
        or normalize-space(substring($reading, string-length($reading))) = ''
        or contains($ed:detached-signs, substring($reading, 1, 1))
        or contains($ed:detached-signs, substring($reading, string-length($reading)))
        or (string-length($reading) le 4 and not(matches($reading, '[\p{L}\p{N}]'))))"/>
  </xsl:function>

  <!-- Apostrophes, which the translation set on the wrong side of a space: a reading that
       begins or ends with one ("workers '") is quoted with the word it belongs to
       ("workers ' press"). (Not hyphens: "of-" ends a word divided at a page's end.) -->
  <xsl:variable name="ed:detached-signs" as="xs:string" select="&quot;'’‘&quot;"/>

  <!-- The source's forms of a name as the registers and the index list them: each in
       quotation marks, as a reading of the source is quoted elsewhere ("“V. I. Lenin”,
       “Lenin”"; a form may hold a comma or quotation marks of its own). -->
  <xsl:function name="ed:quoted-forms" as="xs:string">
    <xsl:param name="forms" as="xs:string*"/>
    <xsl:sequence select="string-join($forms ! ('“' || . || '”'), ', ')"/>
  </xsl:function>

  <!-- Text lost from a source's reading that the editors corrected: its "[…]" is seen only
       where the source's reading is quoted (the lists of corrections). -->
  <xsl:function name="ed:gaps-in-source-readings" as="element(tei:gap)*">
    <xsl:param name="doc" as="document-node()"/>
    <xsl:sequence select="$doc//tei:text//tei:gap[ancestor::tei:sic or ancestor::tei:orig]"/>
  </xsl:function>

  <!-- The reading text on either side of a correction, within its paragraph or note: the
       word before it (with the space that follows the word, if any) and the word after it
       (with the space before it); empty strings at the block's edges. -->
  <xsl:function name="ed:context-words" as="xs:string+">
    <xsl:param name="choice" as="element(tei:choice)"/>
    <xsl:variable name="block" select="$choice/ancestor::*[self::tei:p or self::tei:note or self::tei:head
      or self::tei:ab or self::tei:item or self::tei:cell or self::tei:l][1]"/>
    <xsl:variable name="levels" select="$choice/ancestor-or-self::node()[not($block) or . >> $block]"/>
    <xsl:variable name="before" as="xs:string*">
      <xsl:apply-templates select="$levels ! preceding-sibling::node()" mode="ed:reading"/>
    </xsl:variable>
    <xsl:variable name="after" as="xs:string*">
      <xsl:apply-templates select="reverse($levels) ! following-sibling::node()" mode="ed:reading"/>
    </xsl:variable>
    <xsl:variable name="before-text" select="string-join($before)"/>
    <xsl:variable name="after-text" select="string-join($after)"/>
    <xsl:sequence select="(
      string(tokenize($before-text)[last()]) || ' '[normalize-space(substring($before-text, string-length($before-text))) = '' and normalize-space($before-text)],
      ' '[normalize-space(substring($after-text, 1, 1)) = '' and normalize-space($after-text)] || string(tokenize($after-text)[1]))"/>
  </xsl:function>

  <!-- ============================ links ============================ -->

  <!-- Only http(s), mailto and fragment links reach an output; anything else is empty. -->
  <xsl:function name="ed:safe-url" as="xs:string?">
    <xsl:param name="url" as="xs:string?"/>
    <xsl:variable name="u" select="normalize-space($url)"/>
    <!-- iri-to-uri: a character a URL cannot hold as it is (", <, >, \, ^, `, {, |, })
         escaped as the browser would send it, so that the HTML and the EPUB stay valid
         (the Nu checker and EPUBCheck refused them as written). -->
    <xsl:sequence select="if (matches($u, '^(https?://|mailto:|#)[^\s]*$', 'i')
      and not(matches($u, '[\p{Cc}]'))) then iri-to-uri($u) else ()"/>
  </xsl:function>

  <!-- ============================ the plain reading text ============================ -->

  <!-- Text the editors supply (tei:supplied) stands between these marks in every output:
       it is not the source's. Angle brackets (Leiden's sign for an editorial addition), so
       that it is never taken for a marker in square brackets ([1], [a], [p. 213], […]). -->
  <xsl:variable name="ed:supplied-open" as="xs:string" select="'⟨'"/>
  <xsl:variable name="ed:supplied-close" as="xs:string" select="'⟩'"/>
  <!-- After text the editors read with doubt (tei:unclear). -->
  <xsl:variable name="ed:unclear-mark" as="xs:string" select="'(?)'"/>

  <!-- "Supplied by the editors (omitted)": what the marks mean, for a title or a list. -->
  <xsl:function name="ed:supplied-label" as="xs:string">
    <xsl:param name="supplied" as="element()"/>
    <xsl:sequence select="ed:with-reason('Supplied by the editors', $supplied)"/>
  </xsl:function>

  <xsl:function name="ed:unclear-label" as="xs:string">
    <xsl:param name="unclear" as="element()"/>
    <xsl:sequence select="ed:with-reason('Unclear in the source; the editors’ reading', $unclear)"/>
  </xsl:function>

  <!-- $text, then the element's @reason in brackets when it has one. -->
  <xsl:function name="ed:with-reason" as="xs:string">
    <xsl:param name="text" as="xs:string"/>
    <xsl:param name="element" as="element()"/>
    <xsl:sequence select="$text || ($element/@reason[normalize-space()] ! (' (' || normalize-space(.) || ')'))"/>
  </xsl:function>

  <xsl:mode name="ed:reading" on-no-match="text-only-copy"/>
  <xsl:template match="tei:sic | tei:orig | tei:note | tei:pb" mode="ed:reading"/>
  <xsl:template match="tei:choice[not(tei:corr | tei:reg)]" mode="ed:reading">
    <xsl:apply-templates select="*[1]" mode="#current"/>
  </xsl:template>

  <xsl:mode name="ed:as-published" on-no-match="text-only-copy"/>
  <xsl:template match="tei:corr | tei:reg | tei:note | tei:pb | tei:supplied" mode="ed:as-published"/>

  <!-- A line break of the source is a space between words, nothing inside a word. -->
  <xsl:template match="tei:lb" mode="ed:reading ed:as-published"><xsl:text> </xsl:text></xsl:template>
  <!-- What the source lost (the second half of a word divided at a page): its marker, in
       either reading, never the editors' description of it (gap/desc). -->
  <xsl:template match="tei:gap" mode="ed:reading ed:as-published">[…]</xsl:template>
  <!-- What the editors supplied stands between its marks in the reading, as in the text. -->
  <xsl:template match="tei:supplied" mode="ed:reading">
    <xsl:sequence select="$ed:supplied-open"/>
    <xsl:apply-templates mode="#current"/>
    <xsl:sequence select="$ed:supplied-close"/>
  </xsl:template>
  <xsl:template match="tei:lb[@break = 'no']" mode="ed:reading ed:as-published" priority="1"/>

  <!-- Whether the editors supplied the title (the source has none of its own). -->
  <xsl:function name="ed:title-supplied" as="xs:boolean">
    <xsl:param name="doc" as="node()"/>
    <xsl:sequence select="exists(root($doc)//tei:titleStmt/tei:title[@type = 'supplied'])"/>
  </xsl:function>

  <!-- "journal: unknown", "pp. 212–215": one part of a bibliographic description, labelled. -->
  <xsl:function name="ed:bibl-part" as="xs:string">
    <xsl:param name="part" as="element()"/>
    <xsl:variable name="label" select="if ($part/self::tei:title) then map{'a': 'title', 'j': 'journal', 'm': 'book', 's': 'series'}(string($part/@level))
      else map{'author': 'author', 'editor': 'editor', 'date': 'year', 'pubPlace': 'place', 'publisher': 'publisher', 'textLang': 'language', 'idno': 'identifier'}(local-name($part))"/>
    <xsl:sequence select="if ($part/self::tei:biblScope) then normalize-space($part)
      else string-join(($label, normalize-space($part)), ': ')"/>
  </xsl:function>
</xsl:stylesheet>
