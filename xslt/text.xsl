<?xml version="1.0" encoding="UTF-8"?>
<!--
  The plain-text reading edition: UTF-8, lines of at most 72 characters, paragraphs
  separated by one blank line. Shared logic (titles, metadata, notes, corrections, pages,
  registers) comes from common.xsl; this file only says how the edition reads as text.

  The output is built as a sequence of blocks (strings that may span lines); the root
  template joins them with one blank line. Every block is wrapped here, by txt:wrap, so
  the line length never depends on what reads the file.

  Markers (documented in docs/text.md and in the file's own "How to read" section):
    [p. 213]  printed page 213 begins here
    [1]       the author's note 1 (under "Notes")
    [a]       an editors' note (under "Editors’ notes")
    […]       text lost in the source (in the text, or in a source's reading
              quoted under "Corrections")
-->
<xsl:stylesheet version="3.0"
  xmlns:xsl="http://www.w3.org/1999/XSL/Transform"
  xmlns:xs="http://www.w3.org/2001/XMLSchema"
  xmlns:tei="http://www.tei-c.org/ns/1.0"
  xmlns:ed="urn:tei-tools:edition"
  xmlns:txt="urn:tei-tools:text"
  exclude-result-prefixes="#all">

  <xsl:import href="common.xsl"/>

  <!-- No normalization-form here: tei_tools/text.py puts the whole file into NFC anyway,
       and Saxon's normaliser cost about 0.5 ms of the ~10 ms transform. -->
  <xsl:output method="text" encoding="UTF-8"/>

  <!-- The longest line the file may have, in characters. -->
  <xsl:variable name="txt:width" as="xs:integer" select="72"/>
  <!-- Stands for a space that no line may break at (inside "[p. 213]"); a private-use
       character, never in a TEI text, turned back into a space once the lines are made. -->
  <xsl:variable name="txt:glue" as="xs:string" select="'&#xE000;'"/>
  <!-- U+2011 NON-BREAKING HYPHEN, which the header writes where a line of the HTML must not
       break ("‑a, ‑u"): in a plain-text file it would only hide the hyphen from a search
       for "-a", and the text's own lines never break at a hyphen. Written as "-". -->
  <xsl:variable name="txt:nb-hyphen" as="xs:string" select="'&#x2011;'"/>
  <!-- Labels of the title block are padded to this width; their values hang under it. -->
  <xsl:variable name="txt:label-width" as="xs:integer" select="12"/>

  <xsl:variable name="txt:doc" select="/"/>

  <!-- ============================ the file ============================ -->

  <xsl:template match="/">
    <xsl:variable name="blocks" as="xs:string*">
      <xsl:call-template name="txt:front-matter"/>
      <xsl:call-template name="txt:conventions"/>
      <xsl:apply-templates select="//tei:text/tei:body" mode="txt:block"/>
      <xsl:call-template name="txt:notes"/>
      <xsl:call-template name="txt:editorial-notes"/>
      <xsl:call-template name="txt:corrections"/>
      <xsl:call-template name="txt:registers"/>
      <xsl:call-template name="txt:colophon"/>
    </xsl:variable>
    <!-- Each block is written as it is: joining them first would copy the whole file twice. -->
    <xsl:for-each select="$blocks[normalize-space()]">
      <xsl:if test="position() gt 1">
        <xsl:text>&#10;&#10;</xsl:text>
      </xsl:if>
      <xsl:value-of select="if (contains(., $txt:nb-hyphen)) then translate(., $txt:nb-hyphen, '-') else ."/>
    </xsl:for-each>
    <xsl:text>&#10;</xsl:text>
  </xsl:template>

  <!-- ============================ wrapping ============================ -->

  <!-- $text as lines of at most $txt:width characters, broken at spaces. The first line
       starts with $first, the others with $rest (a hanging indent).
       Greedy line breaking, one step per line: the line ends at the last space within
       $room + 1 characters. A word longer than a line (never in prose, perhaps in a URL)
       is cut at $room characters, so the limit always holds; the cut shows only as a
       line break. -->
  <xsl:function name="txt:wrap" as="xs:string">
    <xsl:param name="text" as="xs:string"/>
    <xsl:param name="first" as="xs:string"/>
    <xsl:param name="rest" as="xs:string"/>
    <xsl:sequence select="txt:wrap-normalized(normalize-space($text), $first, $rest)"/>
  </xsl:function>

  <!-- txt:wrap for a $text without runs of spaces or spaces at its ends (as txt:inline
       returns it): normalize-space() would copy the whole text once more. -->
  <xsl:function name="txt:wrap-normalized" as="xs:string">
    <xsl:param name="text" as="xs:string"/>
    <xsl:param name="first" as="xs:string"/>
    <xsl:param name="rest" as="xs:string"/>
    <xsl:variable name="room" select="$txt:width - max((string-length($first), string-length($rest)))"/>
    <xsl:variable name="wrapped" select="txt:lines($text, 1, $room, $rest, $first)"/>
    <!-- translate() costs more than looking for the glue, which is in few paragraphs -->
    <xsl:sequence select="if (contains($wrapped, $txt:glue)) then translate($wrapped, $txt:glue, ' ') else $wrapped"/>
  </xsl:function>

  <!-- $done (the lines made so far, then the indent of the next line) followed by the
       lines of $text from character $from on (an offset, so the rest of a long paragraph is
       not copied for every line), each further line after $rest.
       One call per line (a step per word is five times slower in Saxon). The lines are
       built into one string and the call is the function's last step, so Saxon runs it as
       a loop (returned as a sequence, the lines nested one iterator per line and cost more).
       The line ends at the last space within $room + 1 characters that does not bind, or,
       when there is none, is cut at $room characters. That space is found from the line's
       last word, by tokenize#1, which splits at white space without a regular expression
       (cheaper than testing character after character from the end); only the line's
       last 24 characters are split, since tokenize() makes a string of every word. The
       text is normalized: its only white space is single spaces, so the last word ends the
       line unless the line ends with a space. Only when that space binds (rare) is the
       line searched back character by character, stopping at the first space found
       (cheaper than listing every space). The search is written here rather than in a
       function of its own: that call per line was about 5 % of the wrapping. -->
  <xsl:function name="txt:lines" as="xs:string">
    <xsl:param name="text" as="xs:string"/>
    <xsl:param name="from" as="xs:integer"/>
    <xsl:param name="room" as="xs:integer"/>
    <xsl:param name="rest" as="xs:string"/>
    <xsl:param name="done" as="xs:string"/>
    <!-- one character more, to see what follows a space at the end of the line -->
    <xsl:variable name="window" select="substring($text, $from, $room + 2)"/>
    <xsl:choose>
      <xsl:when test="string-length($window) le $room">
        <xsl:sequence select="$done || $window"/>
      </xsl:when>
      <xsl:otherwise>
        <!-- the line's last 24 characters, up to character $room + 1 -->
        <xsl:variable name="tail" select="substring($window, $room - 22, 24)"/>
        <xsl:variable name="last" select="if (ends-with($tail, ' ')) then $room + 1
          else $room + 1 - string-length(tokenize(if (contains($tail, ' ')) then $tail else substring($window, 1, $room + 1))[last()])"/>
        <xsl:variable name="space" select="if ($last gt 0 and not(txt:binds($window, $last))) then $last
          else reverse(1 to $last - 1)[substring($window, ., 1) eq ' '][not(txt:binds($window, .))][1]"/>
        <!-- The text is normalized, so it does not end with a space: a line that ends at
             one always has more text after it. -->
        <xsl:sequence select="if (empty($space))
          then txt:lines($text, $from + $room, $room, $rest, $done || substring($window, 1, $room) || '&#10;' || $rest)
          else txt:lines($text, $from + $space, $room, $rest, $done || substring($window, 1, $space - 1) || '&#10;' || $rest)"/>
      </xsl:otherwise>
    </xsl:choose>
  </xsl:function>

  <!-- Whether the space at $at of $text must not end a line: a number stays with its
       abbreviation ("p. 213", "No. 27", "N 24", "l. 24"), a year with its Roman month and
       a day with it ("18. III. 1923"), an initial with the name it belongs to ("V. I.
       Lenin", also quoted: “A. Gramsci”), and a spaced dash never begins a line (it would
       read as a list's bullet).
       Only a space after "." or "N" needs the word before it: the common case costs two
       substrings. -->
  <xsl:function name="txt:binds" as="xs:boolean">
    <xsl:param name="text" as="xs:string"/>
    <xsl:param name="at" as="xs:integer"/>
    <xsl:variable name="before" select="substring($text, $at - 1, 1)"/>
    <xsl:variable name="next" select="substring($text, $at + 1, 1)"/>
    <!-- One function, tests by characters and early exits: this runs for every line, and
         Saxon costs a few microseconds for each further call, tokenize() or list comparison. -->
    <xsl:choose>
      <xsl:when test="$next eq '-'">
        <xsl:sequence select="substring($text, $at + 2, 1) eq ' '"/>
      </xsl:when>
      <xsl:when test="$next eq '' or not($before eq '.' or $before eq 'N')">
        <xsl:sequence select="false()"/>
      </xsl:when>
      <xsl:when test="contains('0123456789', $next)">
        <!-- a number after its abbreviation, or a year after its Roman month -->
        <xsl:variable name="tail" select="substring($text, max(($at - 6, 1)), min(($at - 1, 6)))"/>
        <xsl:variable name="word" select="if (contains($tail, ' ')) then tokenize($tail, ' ')[last()] else $tail"/>
        <xsl:sequence select="ends-with($tail, ' p.') or ends-with($tail, '(p.') or ends-with($tail, ' pp.') or ends-with($tail, 'No.')
          or ends-with($tail, ' N') or ends-with($tail, ' NN') or ends-with($tail, ' l.') or ends-with($tail, ' f.')
          or ends-with($tail, ' d.') or ends-with($tail, ' S.') or ends-with($tail, 'ol.')
          or (string-length($word) gt 1 and translate($word, 'IVX.', '') eq '')"/>
      </xsl:when>
      <xsl:when test="$before eq '.' and contains('ABCDEFGHIJKLMNOPQRSTUVWXYZ', $next)">
        <!-- an initial before a name ("V. I."); a day before its Roman month ("18. III.") -->
        <xsl:variable name="last" select="substring($text, $at - 2, 1)"/>
        <xsl:sequence select="$last ne '' and (
          (contains('ABCDEFGHIJKLMNOPQRSTUVWXYZ', $last) and contains(' (“‘', substring($text, $at - 3, 1)))
          or (contains('0123456789', $last) and contains('IVX', $next)
              and substring($text, $at + 2, 1) ne '' and contains('IVX.', substring($text, $at + 2, 1))))"/>
      </xsl:when>
      <xsl:otherwise>
        <xsl:sequence select="false()"/>
      </xsl:otherwise>
    </xsl:choose>
  </xsl:function>

  <xsl:function name="txt:paragraph" as="xs:string">
    <xsl:param name="text" as="xs:string"/>
    <xsl:sequence select="txt:wrap($text, '', '')"/>
  </xsl:function>

  <!-- A heading underlined with $rule ("=" for the title, "-" for a section). -->
  <xsl:function name="txt:heading" as="xs:string">
    <xsl:param name="text" as="xs:string"/>
    <xsl:param name="rule" as="xs:string"/>
    <xsl:variable name="wrapped" select="txt:paragraph($text)"/>
    <xsl:variable name="longest" select="max(tokenize($wrapped, '&#10;') ! string-length(.))"/>
    <xsl:sequence select="$wrapped || '&#10;' || string-join((1 to $longest) ! $rule)"/>
  </xsl:function>

  <!-- "Licence:    Creative Commons …" with the value hanging under itself. -->
  <xsl:function name="txt:field" as="xs:string?">
    <xsl:param name="label" as="xs:string"/>
    <xsl:param name="value" as="xs:string?"/>
    <xsl:sequence select="txt:term(if ($label) then $label || ':' else '', $value)"/>
  </xsl:function>

  <!-- "[1]         The author’s note …": a term and its explanation, as in a glossary. -->
  <xsl:function name="txt:term" as="xs:string?">
    <xsl:param name="term" as="xs:string"/>
    <xsl:param name="value" as="xs:string?"/>
    <xsl:variable name="indent" select="string-join((1 to $txt:label-width) ! ' ')"/>
    <!-- A term too long for its column ("[p. 123456789012]") stands on a line of its own,
         its explanation below it: cut to the column, it would run into the explanation. -->
    <xsl:sequence select="if (not(normalize-space($value))) then ()
      else if (string-length($term) lt $txt:label-width) then txt:wrap($value, substring($term || $indent, 1, $txt:label-width), $indent)
      else txt:wrap($term, '', '') || '&#10;' || txt:wrap($value, $indent, $indent)"/>
  </xsl:function>

  <!-- "[1] text …" with the text hanging under itself. -->
  <xsl:function name="txt:labelled" as="xs:string">
    <xsl:param name="label" as="xs:string"/>
    <xsl:param name="text" as="xs:string"/>
    <xsl:sequence select="txt:wrap($text, $label || ' ', string-join((0 to string-length($label)) ! ' '))"/>
  </xsl:function>

  <!-- ============================ markers ============================ -->

  <xsl:function name="txt:page-marker" as="xs:string">
    <xsl:param name="n" as="xs:string"/>
    <xsl:sequence select="'[p.' || $txt:glue || $n || ']'"/>
  </xsl:function>

  <xsl:function name="txt:note-marker" as="xs:string">
    <xsl:param name="note" as="element(tei:note)"/>
    <xsl:sequence select="'[' || ed:note-label($note) || ']'"/>
  </xsl:function>

  <xsl:variable name="txt:gap-marker" as="xs:string" select="'[…]'"/>

  <!-- ============================ the title block ============================ -->

  <xsl:template name="txt:front-matter">
    <xsl:variable name="doc" select="$txt:doc"/>
    <xsl:variable name="source" select="ed:source($doc)"/>
    <xsl:variable name="licence" select="ed:licence($doc)"/>
    <xsl:sequence select="string-join((
      txt:heading(ed:title($doc), '='),
      ed:subtitle($doc) ! txt:paragraph(.)), '&#10;')"/>
    <xsl:variable name="fields" as="xs:string*">
      <xsl:sequence select="txt:field('Title', if (ed:title-supplied($doc)) then 'supplied by the editors' else ())"/>
      <xsl:sequence select="txt:field('Source', ed:source-parts($doc)[1] ! (string-join(ed:source-parts($doc), ', ')
        || ed:source-file($doc) ! (' (' || $ed:source-file-intro || . || ')') || '.'))"/>
      <xsl:sequence select="txt:field('Status', string-join($source/tei:note ! txt:inline(.), ' ')[.])"/>
      <xsl:for-each select="ed:originals($doc)">
        <xsl:sequence select="txt:field('Original', ed:original-description(.) || '.' || tei:note ! (' ' || txt:inline(.)))"/>
      </xsl:for-each>
      <!-- One field for every statement of responsibility, as in the HTML edition. -->
      <xsl:sequence select="txt:field('Editors', string-join(ed:responsibility-statements($doc)
        ! (ed:responsible-names(.) || ed:responsibilities(.) ! (' (' || . || ')')), '; ')[.])"/>
      <xsl:sequence select="txt:field('Edition', ed:edition-statement($doc))"/>
      <xsl:sequence select="txt:field('Publisher', ed:publisher($doc))"/>
      <xsl:sequence select="txt:field('Published', ed:edition-date($doc))"/>
      <xsl:sequence select="txt:field('Licence', normalize-space($licence)
        || ($licence/@target ! ed:safe-url(.)) ! (' &lt;' || . || '&gt;'))"/>
      <xsl:sequence select="txt:field('Rights', string-join(ed:rights-statements($doc) ! normalize-space(.), ' '))"/>
      <xsl:sequence select="txt:field('Identifier', ed:identifier($doc))"/>
      <xsl:sequence select="txt:field('Cite as', ed:citation($doc))"/>
      <!-- The example is the document's own first note. -->
      <xsl:variable name="note" select="ed:author-notes($doc)[1]"/>
      <xsl:sequence select="txt:field('', 'To cite a passage, add the printed page shown by the nearest ' || txt:page-marker('…') || ' marker before it'
        || (if ($note) then '; for a note, the page given with it (p. ' || ed:page($note) || ', n. ' || ed:note-label($note) || ').' else '.'))"/>
    </xsl:variable>
    <xsl:sequence select="string-join($fields, '&#10;')"/>
  </xsl:template>

  <!-- What each marker means, in the file itself: a quoted extract should be readable. -->
  <xsl:template name="txt:conventions">
    <xsl:variable name="doc" select="$txt:doc"/>
    <xsl:variable name="page" select="ed:page-number((ed:pages($doc)[2], ed:pages($doc)[1])[1])"/>
    <xsl:sequence select="txt:heading('How to read this text', '-')"/>
    <xsl:sequence select="string-join((
      txt:term('[p. ' || $page || ']', 'Printed page ' || $page || ' of the original begins here.'),
      txt:term('[1]', 'The author’s note 1, numbered as printed: see Notes.'),
      txt:term('[a]', 'A note by the editors, not in the source: see Editors’ notes.'),
      (: only where the text has them, so that the list stays what a reader needs; a gap
         inside a source's reading is seen in the list of corrections only :)
      txt:term($txt:gap-marker, 'Text lost in the source' || txt:gap-places($doc) || '; an editors’ note says what is known.')[$doc//tei:text//tei:gap],
      txt:term($ed:supplied-open || 'word' || $ed:supplied-close, 'Supplied by the editors: not in the source.')[$doc//tei:text//tei:supplied],
      txt:term('word' || $ed:unclear-mark, 'Unclear in the source; the editors’ reading.')[$doc//tei:text//tei:unclear]
      ), '&#10;')"/>
    <xsl:sequence select="txt:paragraph('The text is the edition’s reading text: where the editors corrected the source, the correction stands in the text and the source’s reading is listed under Corrections. Spelling, punctuation and quotation marks are otherwise the source’s; only the spacing around punctuation and note markers is normalised, silently. The editors’ notes are lettered in the order of the text, those within the author’s notes included (so a letter may be missing between two in the running text); ' || $ed:letters-left-out || '. Persons, places and organisations are listed in the Index with the pages where they are named' || ed:example-locator($doc) ! ('; “' || ?1 || '” means ' || ?4) || '.')"/>
  </xsl:template>

  <!-- Where the marker of lost text stands: in the text, or in a source's reading quoted
       under Corrections (the text reads the correction there), or both. -->
  <xsl:function name="txt:gap-places" as="xs:string">
    <xsl:param name="doc" as="document-node()"/>
    <xsl:variable name="gaps" select="$doc//tei:text//tei:gap"/>
    <xsl:variable name="quoted" select="exists(ed:gaps-in-source-readings($doc))"/>
    <xsl:variable name="running" select="exists($gaps except ed:gaps-in-source-readings($doc))"/>
    <xsl:sequence select="if (not($quoted)) then ''
      else if ($running) then ', in the text or in a source’s reading quoted under Corrections'
      else ', in a source’s reading quoted under Corrections'"/>
  </xsl:function>

  <!-- ============================ the running text (mode txt:block) ============================ -->

  <xsl:mode name="txt:block" on-no-match="shallow-skip"/>

  <xsl:template match="tei:body | tei:front | tei:back | tei:div" mode="txt:block">
    <xsl:apply-templates mode="#current"/>
  </xsl:template>

  <!-- A page that begins between paragraphs (or before the heading) is a line of its own. -->
  <xsl:template match="tei:pb[@n]" mode="txt:block">
    <xsl:sequence select="translate(txt:page-marker(ed:page-number(.)), $txt:glue, ' ')"/>
  </xsl:template>

  <!-- The article's heading, like the edition's sections, underlined with "-"; a division
       inside it with "~", and deeper ones with "." (the HTML edition's h3, h4 …). -->
  <xsl:template match="tei:div/tei:head" mode="txt:block">
    <xsl:variable name="depth" select="count(ancestor::tei:div)"/>
    <xsl:sequence select="txt:heading(txt:inline(.), if ($depth le 1) then '-' else if ($depth eq 2) then '~' else '.')
      || (if (@type = 'supplied') then '&#10;(Title supplied by the editors.)' else '')"/>
  </xsl:template>

  <!-- Paragraphs, and anything else at this level that holds text, become wrapped paragraphs:
       an element this stylesheet does not know must not lose its words. -->
  <xsl:template match="tei:p | *" mode="txt:block" priority="-1">
    <xsl:sequence select="txt:wrap-normalized(txt:inline(.), '', '')"/>
  </xsl:template>

  <!-- Text lost between paragraphs: its marker as a paragraph of its own (an editors' note
       beside it says what is known; its gap/desc is not the source's text). -->
  <xsl:template match="tei:gap" mode="txt:block">
    <xsl:sequence select="$txt:gap-marker"/>
  </xsl:template>

  <!-- A note standing between paragraphs is shown by its marker, on a line of its own. -->
  <xsl:template match="tei:note[not(@prev)]" mode="txt:block">
    <xsl:sequence select="txt:note-marker(.)"/>
  </xsl:template>
  <xsl:template match="tei:note[@prev]" mode="txt:block"/>

  <!-- ============================ inline text (mode txt:inline) ============================ -->

  <!-- An element's text as the reader reads it: corrections in, the source's readings out,
       notes as markers, pages as markers, one space for each run of white space. -->
  <xsl:function name="txt:inline" as="xs:string">
    <xsl:param name="element" as="element()"/>
    <xsl:variable name="parts" as="xs:string*">
      <xsl:apply-templates select="$element/node()" mode="txt:inline"/>
    </xsl:variable>
    <xsl:variable name="text" select="normalize-space(string-join($parts))"/>
    <!-- A page marker holds on to the word that begins the page. (Regular expressions are
         slow in Saxon on a paragraph's length: only where there is a marker.) -->
    <xsl:sequence select="if (contains($text, $txt:glue))
      then replace($text, $txt:glue || ' ', $txt:glue) => replace($txt:glue || '$', '')
      else $text"/>
  </xsl:function>

  <xsl:mode name="txt:inline" on-no-match="text-only-copy"/>

  <!-- The source's quotation marks are in its text; the editors' own prose needs them added. -->
  <xsl:template match="tei:q | tei:quote" mode="txt:inline">
    <xsl:variable name="marks" select="ed:needs-quotation-marks(.)"/>
    <!-- A quotation inside another gets single marks, as the HTML's <q> does. -->
    <xsl:variable name="inner" select="$marks and exists((ancestor::tei:q | ancestor::tei:quote)[ed:needs-quotation-marks(.)])"/>
    <xsl:sequence select="(if ($inner) then '‘' else '“')[$marks]"/>
    <xsl:apply-templates mode="#current"/>
    <xsl:sequence select="(if ($inner) then '’' else '”')[$marks]"/>
  </xsl:template>

  <!-- The source's reading is left out, but not a page that begins inside it. -->
  <xsl:template match="tei:sic | tei:orig" mode="txt:inline">
    <xsl:apply-templates select="parent::tei:choice ! ed:breaks-in-source-reading(.)" mode="#current"/>
  </xsl:template>
  <xsl:template match="tei:choice[not(tei:corr | tei:reg)]" mode="txt:inline">
    <xsl:apply-templates select="*[1]" mode="#current"/>
  </xsl:template>

  <xsl:template match="tei:note[not(@prev)]" mode="txt:inline">
    <xsl:sequence select="txt:note-marker(.)"/>
  </xsl:template>
  <!-- A continuation is read with the first part of its note. -->
  <xsl:template match="tei:note[@prev]" mode="txt:inline"/>

  <!-- A note outside the text (in the header's prose) is in no notes list: it is read where
       it stands, in brackets. -->
  <xsl:template match="tei:note[not(ancestor::tei:text)]" mode="txt:inline" priority="2">
    <xsl:if test="normalize-space() or *">
      <xsl:sequence select="' ('"/>
      <xsl:apply-templates mode="#current"/>
      <xsl:sequence select="')'"/>
    </xsl:if>
  </xsl:template>

  <!-- The marker stands where the page begins, bound to the word that begins it. -->
  <xsl:template match="tei:pb[@n]" mode="txt:inline">
    <xsl:sequence select="' ' || txt:page-marker(ed:page-number(.)) || $txt:glue"/>
  </xsl:template>

  <!-- Text the editors supply, between angle brackets; text they read with doubt, "(?)" after. -->
  <xsl:template match="tei:supplied" mode="txt:inline">
    <xsl:sequence select="$ed:supplied-open"/>
    <xsl:apply-templates mode="#current"/>
    <xsl:sequence select="$ed:supplied-close"/>
  </xsl:template>
  <xsl:template match="tei:unclear" mode="txt:inline">
    <xsl:apply-templates mode="#current"/>
    <xsl:sequence select="$ed:unclear-mark"/>
  </xsl:template>

  <!-- Lost words are a gap between words; lost letters belong to the word they are part of. -->
  <xsl:template match="tei:gap" mode="txt:inline">
    <xsl:sequence select="if (@unit = 'chars') then $txt:gap-marker else ' ' || $txt:gap-marker"/>
  </xsl:template>

  <!-- A line break of the source is a space between words, and nothing inside a word
       (break="no": "Mar<lb break="no"/>chlewski" reads "Marchlewski"). -->
  <xsl:template match="tei:lb" mode="txt:inline">
    <xsl:sequence select="' '[not(current()/@break = 'no')]"/>
  </xsl:template>

  <!-- A link keeps its text and shows its target, if the target may be written at all. -->
  <xsl:template match="tei:ref[@target]" mode="txt:inline">
    <xsl:apply-templates mode="#current"/>
    <xsl:for-each select="ed:safe-url(@target)[not(starts-with(., '#'))]">
      <xsl:sequence select="' &lt;' || . || '&gt;'"/>
    </xsl:for-each>
  </xsl:template>

  <!-- ============================ notes ============================ -->

  <!-- A note as one text: its continuations joined to it, each after the marker of its page. -->
  <xsl:function name="txt:note-text" as="xs:string" cache="yes">
    <xsl:param name="note" as="element(tei:note)"/>
    <xsl:sequence select="string-join((txt:inline($note),
      ed:continuations($note) ! (txt:page-marker(ed:page(.)) || $txt:glue || txt:inline(.))), ' ')"/>
  </xsl:function>

  <xsl:template name="txt:notes">
    <xsl:variable name="notes" select="ed:author-notes($txt:doc)"/>
    <xsl:if test="$notes">
      <xsl:sequence select="txt:heading('Notes', '-')"/>
      <xsl:sequence select="txt:paragraph('The author’s notes, numbered as printed, each with the page at whose foot it is printed (the pages, for a note that runs over to the next page).')"/>
      <xsl:sequence select="$notes ! txt:labelled(txt:note-marker(.), txt:note-page(.) || txt:note-text(.))"/>
    </xsl:if>
  </xsl:template>

  <xsl:template name="txt:editorial-notes">
    <xsl:variable name="notes" select="ed:editorial-notes($txt:doc)"/>
    <xsl:if test="$notes">
      <xsl:sequence select="txt:heading('Editors’ notes', '-')"/>
      <xsl:sequence select="txt:paragraph('Added by the editors, lettered in the order of the text (' || $ed:letters-left-out-why || '), each with the page of its marker; not part of the source.')"/>
      <xsl:sequence select="$notes ! txt:labelled(txt:note-marker(.), txt:note-page(.) || txt:note-text(.))"/>
    </xsl:if>
  </xsl:template>

  <!-- "(p. 215) ": where a note's marker stands, so that a note can be cited by its page
       (the nearest page marker before a note in the notes list is no guide); "(pp.
       212–213) " for a note that runs over to a later page (ed:note-pages-label). It begins the
       note's first line, so no glue is needed to keep "p." with its number (the glue
       costs a translate() of the whole note). -->
  <xsl:function name="txt:note-page" as="xs:string">
    <xsl:param name="note" as="element(tei:note)"/>
    <xsl:sequence select="'(' || ed:note-pages-label($note) || ') '"/>
  </xsl:function>

  <!-- ============================ corrections ============================ -->

  <!-- A reading as it stands, between the words quoted on either side of it ($context, from
       ed:context-words, or none), white space collapsed but kept at its ends ("“ – ”"). -->
  <xsl:function name="txt:reading" as="xs:string">
    <xsl:param name="reading" as="element()?"/>
    <xsl:param name="mode" as="xs:string"/>
    <xsl:param name="context" as="xs:string*"/>
    <!-- Most readings are plain text, which both modes copy as it is: read without a pass. -->
    <xsl:variable name="parts" as="xs:string*">
      <xsl:choose>
        <xsl:when test="empty($reading/*)"><xsl:sequence select="string($reading)"/></xsl:when>
        <xsl:when test="$mode = 'as-published'"><xsl:apply-templates select="$reading/node()" mode="ed:as-published"/></xsl:when>
        <xsl:otherwise><xsl:apply-templates select="$reading/node()" mode="ed:reading"/></xsl:otherwise>
      </xsl:choose>
    </xsl:variable>
    <xsl:variable name="text" select="$context[1] || string-join($parts) || $context[2]"/>
    <xsl:sequence select="'“' || ' '[txt:is-space(substring($text, 1, 1))] || normalize-space($text)
      || ' '[txt:is-space(substring($text, string-length($text)))] || '”'"/>
  </xsl:function>

  <xsl:function name="txt:is-space" as="xs:boolean">
    <xsl:param name="char" as="xs:string"/>
    <xsl:sequence select="$char != '' and normalize-space($char) = ''"/>
  </xsl:function>

  <!-- A category's description, made once: many corrections share a category. -->
  <xsl:function name="txt:category-text" as="xs:string" cache="yes">
    <xsl:param name="category" as="element(tei:category)"/>
    <xsl:sequence select="txt:inline($category/tei:catDesc)"/>
  </xsl:function>

  <xsl:template name="txt:corrections">
    <xsl:variable name="choices" select="ed:corrections($txt:doc)"/>
    <xsl:if test="$choices">
      <xsl:sequence select="txt:heading('Corrections', '-')"/>
      <xsl:sequence select="txt:paragraph('Every place where the editors changed the source’s reading, in the order of the text: the page (and the note, for a change in an author’s note), what the source reads, the reading that stands in this text, the editors’ certainty (a regularisation has none) and the reason. A change of punctuation or spacing alone is quoted with the word on either side of it, which the editors did not change. Spaces inside the quotation marks belong to the readings. Spacing around punctuation, normalised silently, is not listed.')"/>
      <xsl:for-each select="$choices">
        <xsl:variable name="label" select="position() || '.'"/>
        <xsl:variable name="kind" select="if (ed:correction-kind(.) = 'correction') then 'corrected to' else 'regularised to'"/>
        <xsl:variable name="corrected" select="ed:corrected-reading(.)"/>
        <xsl:variable name="certainty" select="ed:certainty(.)"/>
        <xsl:variable name="context" select="if (ed:needs-context(.)) then ed:context-words(.) else ()"/>
        <xsl:variable name="reasons" select="(
          ed:correction-categories(.) ! txt:category-text(.),
          ed:correction-notes(.) ! ('Editors’ note ' || ed:note-label(.) || ': ' || normalize-space(txt:note-text(.))))"/>
        <xsl:sequence select="txt:labelled($label, string-join((
          string-join(ed:correction-place(.), ', ') || ': '
            || txt:reading(ed:source-reading(.), 'as-published', $context)
            || ' ' || $kind || ' ' || txt:reading($corrected, 'reading', $context)
            || (if ($certainty) then ' (certainty: ' || $certainty || ').' else '.'),
          $reasons), ' '))"/>
      </xsl:for-each>
    </xsl:if>
  </xsl:template>

  <!-- ============================ the index ============================ -->

  <xsl:template name="txt:registers">
    <xsl:for-each select="ed:register-kinds($txt:doc)">
      <!-- Unsorted: ed:index-items sorts them with the "see" lines, once. -->
      <xsl:variable name="entries" select="ed:entries-unsorted($txt:doc, .)"/>
      <!-- "Index of persons", and the TEI's own heading of the register when it says more
           ("Index of persons: People of the report"). -->
      <xsl:variable name="heading" select="ed:register-heading($txt:doc, .)[lower-case(.) ne ed:register-name(current())]"/>
      <xsl:sequence select="txt:heading('Index of ' || ed:register-name(.) || $heading ! (': ' || .), '-')"/>
      <xsl:sequence select="string-join(ed:index-items($entries, ed:see-references($txt:doc, .)) ! txt:index-line(.), '&#10;')"/>
    </xsl:for-each>
  </xsl:template>

  <!-- An index line: an entry, or a "see" reference ("Leninakan, see Aleksandropol.";
       entries named by the same form are separated by ";"). -->
  <xsl:function name="txt:index-line" as="xs:string">
    <xsl:param name="item" as="item()"/>
    <xsl:sequence select="if ($item instance of map(*))
      then txt:wrap($item?name || ', see ' || string-join($item?entries ! ed:entity-label(.), '; ') || '.', '', '    ')
      else txt:index-entry($item)"/>
  </xsl:function>

  <!-- "Zetkin, Clara (1857–1933): 212, 213n2. German communist, … In the source: “K. Zetkin”."
       The name and its pages first, as in a book's index; then what the HTML and EPUB
       registers say of the entry (a place's country and coordinates, the editors' notes),
       so that no edition holds fewer of the editors' statements. -->
  <xsl:function name="txt:index-entry" as="xs:string">
    <xsl:param name="entry" as="element()"/>
    <xsl:variable name="forms" select="ed:source-forms($entry)"/>
    <xsl:variable name="text" select="string-join((
      ed:entity-label($entry) || txt:entry-facts($entry) || ': ' || txt:pages($entry) || '.',
      txt:entry-notes($entry),
      $forms[1] ! ('In the source: ' || ed:quoted-forms($forms) || '.')), ' ')"/>
    <xsl:sequence select="txt:wrap($text, '', '    ')"/>
  </xsl:function>

  <!-- "Poland, 52.23° N, 21.01° E." and each of the entry's notes, as sentences. -->
  <xsl:function name="txt:entry-notes" as="xs:string*">
    <xsl:param name="entry" as="element()"/>
    <xsl:variable name="geo" select="ed:geo($entry)"/>
    <!-- Coordinates are not broken over two lines ("48.40°" / "E."): glued until wrapped. -->
    <xsl:variable name="where" select="(ed:country($entry) ! normalize-space(.), $geo[2] ! translate(ed:coordinates($geo), ' ', $txt:glue))"/>
    <xsl:sequence select="($where[1] ! (string-join($where, ', ') || '.'),
      $entry/tei:note ! txt:inline(.) ! (if (ed:ends-a-sentence(.)) then . else . || '.'))"/>
  </xsl:function>

  <!-- What follows the name: a person's years, or the names in parentheses of a place or
       an organisation (ed:aside-names: "Petrograd (Leningrad, January 1924 – 1991; now
       Saint Petersburg, since 1991)"), as in the HTML edition's registers. -->
  <xsl:function name="txt:entry-facts" as="xs:string">
    <xsl:param name="entry" as="element()"/>
    <xsl:variable name="facts" select="if ($entry/self::tei:person) then ed:life-span($entry) else ed:aside-text($entry)"/>
    <xsl:sequence select="string($facts ! (' (' || . || ')'))"/>
  </xsl:function>

  <!-- The pages where an entry is named, as in a book's index (Chicago): "212, 212n1, 213"
       ("212n1": page 212, note 1), each locator once, page by page (ed:locators). -->
  <xsl:function name="txt:pages" as="xs:string">
    <xsl:param name="entry" as="element()"/>
    <xsl:variable name="locators" select="ed:locators($entry) ! ?1"/>
    <xsl:sequence select="if (exists($locators)) then string-join($locators, ', ') else 'not named in the text'"/>
  </xsl:function>

  <!-- ============================ colophon ============================ -->

  <xsl:template name="txt:colophon">
    <xsl:sequence select="string-join((1 to $txt:width) ! '-')"/>
    <xsl:sequence select="txt:paragraph('Built on ' || ed:build-day() || ' from the TEI master ' || $stem || '.xml'
      || ed:tool-name() ! (' with ' || .) || '.')"/>
  </xsl:template>
</xsl:stylesheet>
