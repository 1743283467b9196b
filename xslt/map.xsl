<?xml version="1.0" encoding="UTF-8"?>
<!--
  A small SVG map of the places in the registers, drawn at build time from their
  coordinates: land outlines (Natural Earth 1:110m, xslt/data/land-110m.xml, made by
  tools/make_map_data.py), a graticule, and one marker per place linking to its entry.
  No tiles and no request: the SVG is inline in the page.

  Projection: equirectangular, longitudes shrunk by the cosine of the map's middle
  latitude, so shapes near the map's centre keep their proportions. Land and graticule
  stay in degrees inside a group scaled by (k, -1); markers and labels are placed in
  projected units so circles stay round.
-->
<xsl:stylesheet version="3.0"
  xmlns:xsl="http://www.w3.org/1999/XSL/Transform"
  xmlns:xs="http://www.w3.org/2001/XMLSchema"
  xmlns:tei="http://www.tei-c.org/ns/1.0"
  xmlns:ed="urn:tei-tools:edition"
  xmlns:html="urn:tei-tools:html"
  xmlns:array="http://www.w3.org/2005/xpath-functions/array"
  xmlns:math="http://www.w3.org/2005/xpath-functions/math"
  xmlns:map="http://www.w3.org/2005/xpath-functions/map"
  xmlns="http://www.w3.org/1999/xhtml"
  exclude-result-prefixes="#all">

  <!-- Parsed once at compile time and kept in the compiled stylesheet. -->
  <xsl:variable name="html:land" static="yes" select="doc('data/land-110m.xml')"/>

  <!-- No spatial index of the polygons: testing the 125 boxes costs about 0.2 ms a map, and
       an index built at compile time (tried) cost more than that in every short build: its
       allocations brought the runtime's first collection of garbage (about 20 ms) into the
       first transform. -->

  <xsl:template name="html:map">
    <!-- The register's places, in its order. -->
    <xsl:param name="places" as="element()*" select="ed:entries($html:doc, 'place')"/>
    <!-- Each place with coordinates, read once: [place, latitude, longitude]. -->
    <xsl:variable name="marks" as="array(*)*" select="for $place in $places, $geo in array{ed:geo($place)}[array:size(.) = 2]
      return [$place, $geo(1), $geo(2)]"/>
    <xsl:if test="exists($marks)">
      <xsl:variable name="lats" select="$marks ! ?2"/>
      <xsl:variable name="lons" select="$marks ! ?3"/>
      <!-- Pad the places' box; never narrower than 8 degrees of latitude. -->
      <xsl:variable name="span-lat" select="max((max($lats) - min($lats), 8))"/>
      <xsl:variable name="pad" select="$span-lat * 0.18"/>
      <xsl:variable name="mid-lat" select="(max($lats) + min($lats)) div 2"/>
      <xsl:variable name="south" select="max((-89, $mid-lat - $span-lat div 2 - $pad))"/>
      <xsl:variable name="north" select="min((89, $mid-lat + $span-lat div 2 + $pad))"/>
      <xsl:variable name="k" select="math:cos(($south + $north) div 2 * math:pi() div 180)"/>
      <!-- At least as wide as tall on screen, so a map of a few cities is not a strip. -->
      <xsl:variable name="span-lon" select="max((max($lons) - min($lons) + 2 * $pad div $k, ($north - $south) * 1.4 div $k))"/>
      <xsl:variable name="mid-lon" select="(max($lons) + min($lons)) div 2"/>
      <xsl:variable name="west" select="max((-180, $mid-lon - $span-lon div 2))"/>
      <xsl:variable name="east" select="min((180, $mid-lon + $span-lon div 2))"/>
      <xsl:variable name="height" select="$north - $south"/>
      <xsl:variable name="unit" select="$height div 100"/>
      <xsl:variable name="step" select="if ($height le 20) then 5 else if ($height le 60) then 10 else 30"/>
      <!-- The viewBox's width over its height, for html.css, which sizes the SVG by it: the
           drawing fills the SVG's box (no letterbox at the sides, where only land drawn past
           the viewBox would show, on the page's paper) whatever cap the screen or the paper
           puts on its height. From the numbers the viewBox is written with. -->
      <xsl:variable name="ratio" select="xs:double(html:n(($east - $west) * $k)) div xs:double(html:n($height))"/>
      <figure class="map" style="--map-ratio: {round($ratio, 4) + 0}">
        <svg xmlns="http://www.w3.org/2000/svg" viewBox="{html:n($west * $k)} {html:n(-$north)} {html:n(($east - $west) * $k)} {html:n($height)}"
             role="group" aria-labelledby="map-title" aria-describedby="map-desc" preserveAspectRatio="xMidYMid meet">
          <!-- A group, not an image: its markers are links, which an image's would hide. -->
          <title id="map-title">Map of the <xsl:value-of select="count($marks)"/> places of the register that have coordinates</title>
          <desc id="map-desc">Coastlines and a graticule; each place is a dot with its name, which links to its entry in the register below.</desc>
          <rect class="sea" x="{html:n($west * $k)}" y="{html:n(-$north)}" width="{html:n(($east - $west) * $k)}" height="{html:n($height)}"/>
          <g transform="scale({html:n($k)},-1)">
            <path class="land" vector-effect="non-scaling-stroke">
              <!-- The polygons whose box meets the map's, in the file's order. -->
              <xsl:variable name="candidates" select="$html:land/*/*"/>
              <xsl:attribute name="d" select="string-join($candidates[html:meets(@bbox, $west, $south, $east, $north)]/@d, '')"/>
            </path>
            <path class="graticule" vector-effect="non-scaling-stroke">
              <xsl:attribute name="d" select="string-join((
                (for $lon in (xs:integer(ceiling($west div $step)) to xs:integer(floor($east div $step))) return 'M' || $lon * $step || ',' || html:n($south) || 'V' || html:n($north)),
                (for $lat in (xs:integer(ceiling($south div $step)) to xs:integer(floor($north div $step))) return 'M' || html:n($west) || ',' || $lat * $step || 'H' || html:n($east))
              ), '')"/>
            </path>
          </g>
          <!-- Labels are placed from south to north: the marks' numbers (in $marks) by latitude. -->
          <xsl:variable name="by-latitude" as="xs:integer*">
            <xsl:perform-sort select="1 to count($marks)"><xsl:sort select="$marks[current()]?2"/></xsl:perform-sort>
          </xsl:variable>
          <xsl:variable name="font" select="$unit * 3.4"/>
          <xsl:variable name="r" select="$unit * 1.1"/>
          <!-- Obstacles as boxes in projected units, four numbers each (x1, y1, x2, y2), in one
               flat sequence (arrays and maps cost Saxon a call per access): every marker, then
               each label as it is placed. -->
          <xsl:variable name="marker-boxes" as="xs:double*" select="for $i in $by-latitude return $marks[$i] ! (?3 * $k - $r, -?2 - $r, ?3 * $k + $r, -?2 + $r)"/>
          <xsl:variable name="frame" as="xs:double*" select="($west * $k, -$north, $east * $k, -$south)"/>
          <!-- Each label's anchor (x, y), two numbers a mark, in the order of $by-latitude. -->
          <xsl:variable name="anchors" as="xs:double*">
            <xsl:iterate select="$by-latitude">
              <xsl:param name="obstacles" as="xs:double*" select="$marker-boxes"/>
              <xsl:param name="anchors" as="xs:double*" select="()"/>
              <xsl:on-completion select="$anchors"/>
              <xsl:variable name="mark" select="$marks[current()]"/>
              <xsl:variable name="label" select="html:short-name(ed:entity-name($mark?1))"/>
              <xsl:variable name="x" select="$mark?3 * $k"/>
              <xsl:variable name="y" select="-$mark?2"/>
              <!-- The label goes right of its marker, or left, above or below, whichever first
                   clears the markers, the labels placed so far and the map's edge (labels in the
                   eastern quarter try the left first); if none does, the first. -->
              <xsl:variable name="east-side" select="$mark?3 gt $east - ($east - $west) div 4"/>
              <xsl:variable name="spots" select="html:label-spots($x, $y, $unit, $font, string-length($label))"/>
              <xsl:variable name="order" select="if ($east-side) then (2, 1, 3, 4) else (1, 2, 3, 4)"/>
              <xsl:variable name="free" select="$order[html:clear(subsequence($spots, 6 * . - 3, 4), $frame, $obstacles)]"/>
              <xsl:variable name="spot" select="subsequence($spots, 6 * ($free, $order)[1] - 5, 6)"/>
              <xsl:next-iteration>
                <xsl:with-param name="obstacles" select="($obstacles, subsequence($spot, 3, 4))"/>
                <xsl:with-param name="anchors" select="($anchors, $spot[1], $spot[2])"/>
              </xsl:next-iteration>
            </xsl:iterate>
          </xsl:variable>
          <!-- The links in the register's order: their order for Tab and for a screen reader,
               as in the list below the map. -->
          <xsl:for-each select="$marks">
            <xsl:variable name="at" select="2 * index-of($by-latitude, position())"/>
            <xsl:variable name="x" select="?3 * $k"/>
            <xsl:variable name="label-x" select="$anchors[$at - 1]"/>
            <!-- The standard name, read once for the marker's title and its label. -->
            <xsl:variable name="name" select="ed:entity-name(?1)"/>
            <a href="#{?1/@xml:id}">
              <title><xsl:value-of select="$name"/></title>
              <!-- The white ring a quarter of the radius, in the map's units like the
                   marker: a fixed width would swallow the dot of a map of a small area. -->
              <circle class="place" cx="{html:n($x)}" cy="{html:n(-?2)}" r="{html:n($r)}" stroke-width="{html:n($r div 4)}"/>
              <text class="place-label" paint-order="stroke" x="{html:n($label-x)}" y="{html:n($anchors[$at])}" font-size="{html:n($font)}">
                <xsl:if test="$label-x lt $x"><xsl:attribute name="text-anchor" select="'end'"/></xsl:if>
                <xsl:if test="$label-x eq $x"><xsl:attribute name="text-anchor" select="'middle'"/></xsl:if>
                <xsl:value-of select="html:short-name($name)"/>
              </text>
            </a>
          </xsl:for-each>
        </svg>
        <figcaption>Places named in the text. Coastlines: Natural Earth (public domain); graticule every <xsl:value-of select="$step"/>°. Each place’s coordinates in the list below link to OpenStreetMap.<span class="narrow-only"> Scroll the map sideways to see all of it.</span></figcaption>
      </figure>
    </xsl:if>
  </xsl:template>

  <!-- A label for the map: the standard name (ed:entity-name) without its explanation in brackets. -->
  <xsl:function name="html:short-name" as="xs:string">
    <xsl:param name="name" as="xs:string"/>
    <xsl:sequence select="if (contains($name, ' (')) then substring-before($name, ' (') else $name"/>
  </xsl:function>

  <!-- Where a label may stand by its marker at ($x, $y): right, left, above, below. Each
       spot is six numbers: the text's anchor point (x, y), then the box it covers (x1, y1,
       x2, y2), its width estimated from its length (0.6 em a character, about that of a
       bold sans-serif). Where x is left of, at or right of the marker, the text ends, is
       centred or begins there. -->
  <xsl:function name="html:label-spots" as="xs:double+">
    <xsl:param name="x" as="xs:double"/>
    <xsl:param name="y" as="xs:double"/>
    <xsl:param name="unit" as="xs:double"/>
    <xsl:param name="font" as="xs:double"/>
    <xsl:param name="characters" as="xs:integer"/>
    <xsl:variable name="w" select="$characters * $font * 0.6"/>
    <xsl:variable name="gap" select="$unit * 2"/>
    <xsl:variable name="base" select="$y + $unit * 1.2"/>
    <xsl:sequence select="
      $x + $gap, $base, $x + $gap, $base - $font * 0.8, $x + $gap + $w, $base + $font * 0.2,
      $x - $gap, $base, $x - $gap - $w, $base - $font * 0.8, $x - $gap, $base + $font * 0.2,
      $x, $y - $gap, $x - $w div 2, $y - $gap - $font * 0.8, $x + $w div 2, $y - $gap + $font * 0.2,
      $x, $y + $gap + $font * 0.8, $x - $w div 2, $y + $gap, $x + $w div 2, $y + $gap + $font"/>
  </xsl:function>

  <!-- Is the box $b (x1, y1, x2, y2) within the frame and clear of every obstacle (boxes
       of four numbers each, one after another)? -->
  <xsl:function name="html:clear" as="xs:boolean">
    <xsl:param name="b" as="xs:double+"/>
    <xsl:param name="frame" as="xs:double+"/>
    <xsl:param name="obstacles" as="xs:double*"/>
    <xsl:sequence select="$b[1] ge $frame[1] and $b[2] ge $frame[2] and $b[3] le $frame[3] and $b[4] le $frame[4]
      and not(some $i in 0 to count($obstacles) idiv 4 - 1 satisfies
        ($b[1] lt $obstacles[4 * $i + 3] and $obstacles[4 * $i + 1] lt $b[3]
         and $b[2] lt $obstacles[4 * $i + 4] and $obstacles[4 * $i + 2] lt $b[4]))"/>
  </xsl:function>

  <!-- Does a polygon's box "w s e n" meet the map's box? -->
  <xsl:function name="html:meets" as="xs:boolean">
    <xsl:param name="bbox" as="xs:string"/>
    <xsl:param name="west" as="xs:double"/>
    <xsl:param name="south" as="xs:double"/>
    <xsl:param name="east" as="xs:double"/>
    <xsl:param name="north" as="xs:double"/>
    <xsl:variable name="b" select="tokenize($bbox) ! xs:double(.)"/>
    <xsl:sequence select="$b[1] le $east and $b[3] ge $west and $b[2] le $north and $b[4] ge $south"/>
  </xsl:function>

  <!-- Numbers in the SVG: three decimals are finer than a pixel at any size it is shown. -->
  <xsl:function name="html:n" as="xs:string">
    <xsl:param name="v" as="xs:double"/>
    <!-- round() rather than format-number(): the same digits here, at a fraction of the cost. -->
    <xsl:sequence select="string(round($v, 3) + 0)"/>
  </xsl:function>
</xsl:stylesheet>
