{% load i18n static %}{% get_current_language as LANGUAGE_CODE %}{% get_current_language_bidi as LANGUAGE_BIDI %}{% translate "Web feed" as web_feed %}{% translate "This is a web feed" as about_title %}{% blocktranslate trimmed asvar about_feeds %}
  A feed lets you follow new posts without visiting the site or giving anyone your e-mail address.
  Feed readers (apps such as NetNewsWire, Feedly, Inoreader or Thunderbird) check it for you and show what is new.
{% endblocktranslate %}{% translate "To subscribe, copy this address into your feed reader:" as how_to %}{% blocktranslate trimmed asvar preview %}
  This page is only a preview of the feed; your feed reader shows the full posts.
{% endblocktranslate %}{% translate "Read it on the website" as on_the_website %}{% translate "Latest entries" as latest %}{% translate "Nothing has been published here yet." as nothing_yet %}<?xml version="1.0" encoding="UTF-8"?>
<!-- Turns an RSS 2.0 or Atom 1.0 feed of this site into a page for people who open it in a browser. -->
<xsl:stylesheet version="1.0"
  xmlns:xsl="http://www.w3.org/1999/XSL/Transform"
  xmlns:atom="http://www.w3.org/2005/Atom"
  xmlns:dc="http://purl.org/dc/elements/1.1/"
  exclude-result-prefixes="atom dc">
<xsl:output method="html" encoding="UTF-8" indent="yes" doctype-system="about:legacy-compat"/>

<xsl:variable name="title" select="/rss/channel/title | /atom:feed/atom:title"/>
<xsl:variable name="description" select="/rss/channel/description | /atom:feed/atom:subtitle"/>
<xsl:variable name="home" select="/rss/channel/link | /atom:feed/atom:link[@rel='alternate']/@href"/>
<xsl:variable name="address" select="/rss/channel/atom:link[@rel='self']/@href | /atom:feed/atom:link[@rel='self']/@href"/>
<xsl:variable name="language" select="/rss/channel/language | /atom:feed/@xml:lang"/>

<xsl:template match="/">
<html lang="{{ LANGUAGE_CODE }}" dir="{% if LANGUAGE_BIDI %}rtl{% else %}ltr{% endif %}">
<head>
<meta charset="utf-8"/>
<meta name="viewport" content="width=device-width, initial-scale=1"/>
<meta name="robots" content="noindex"/>
<title>{{ web_feed }}: <xsl:value-of select="$title"/></title>
<link rel="stylesheet" href="{% static 'core/despatch.css' %}"/>
<link rel="stylesheet" href="{% static 'feeds/feed.css' %}"/>
</head>
<body class="feed-page">
<main id="main" class="feed-page__main">
  <header class="feed-page__header">
    <h1 lang="{$language}" dir="auto"><xsl:value-of select="$title"/></h1>
    <xsl:if test="string($description)">
      <p lang="{$language}" dir="auto"><xsl:value-of select="$description"/></p>
    </xsl:if>
    <p><a href="{$home}">{{ on_the_website }}</a></p>
  </header>

  <section class="feed-page__about" aria-labelledby="feed-about-title">
    <h2 id="feed-about-title">{{ about_title }}</h2>
    <p>{{ about_feeds }}</p>
    <p>{{ how_to }}</p>
    <p class="feed-page__address"><code><xsl:value-of select="$address"/></code></p>
    <p>{{ preview }}</p>
  </section>

  <section aria-labelledby="feed-entries-title">
    <h2 id="feed-entries-title">{{ latest }}</h2>
    <xsl:choose>
      <xsl:when test="/rss/channel/item | /atom:feed/atom:entry">
        <ol class="feed-page__entries">
          <xsl:apply-templates select="/rss/channel/item | /atom:feed/atom:entry"/>
        </ol>
      </xsl:when>
      <xsl:otherwise>
        <p>{{ nothing_yet }}</p>
      </xsl:otherwise>
    </xsl:choose>
  </section>
</main>
</body>
</html>
</xsl:template>

<xsl:template match="item">
  <xsl:variable name="entry-language">
    <xsl:choose>
      <xsl:when test="dc:language"><xsl:value-of select="dc:language"/></xsl:when>
      <xsl:otherwise><xsl:value-of select="$language"/></xsl:otherwise>
    </xsl:choose>
  </xsl:variable>
  <li class="feed-page__entry" lang="{$entry-language}" dir="auto">
    <h3><a href="{link}"><xsl:call-template name="unescape"><xsl:with-param name="text" select="title"/></xsl:call-template></a></h3>
    <p class="feed-page__meta">
      <xsl:value-of select="substring(pubDate, 6, 11)"/>
      <xsl:if test="dc:creator"> · <xsl:value-of select="dc:creator"/></xsl:if>
    </p>
    <xsl:if test="string(description)">
      <p><xsl:call-template name="unescape"><xsl:with-param name="text" select="description"/></xsl:call-template></p>
    </xsl:if>
  </li>
</xsl:template>

<xsl:template match="atom:entry">
  <xsl:variable name="entry-language">
    <xsl:choose>
      <xsl:when test="@xml:lang"><xsl:value-of select="@xml:lang"/></xsl:when>
      <xsl:otherwise><xsl:value-of select="$language"/></xsl:otherwise>
    </xsl:choose>
  </xsl:variable>
  <li class="feed-page__entry" lang="{$entry-language}" dir="auto">
    <h3><a href="{atom:link[@rel='alternate']/@href}"><xsl:value-of select="atom:title"/></a></h3>
    <p class="feed-page__meta">
      <time datetime="{atom:published | atom:updated[not(../atom:published)]}">
        <xsl:value-of select="substring(atom:published | atom:updated[not(../atom:published)], 1, 10)"/>
      </time>
      <xsl:if test="atom:author/atom:name"> · <xsl:value-of select="atom:author/atom:name"/></xsl:if>
    </p>
    <xsl:if test="string(atom:summary)">
      <p><xsl:value-of select="atom:summary"/></p>
    </xsl:if>
  </li>
</xsl:template>

<!-- RSS titles and descriptions are HTML-escaped text (readers treat them as HTML);
     undo the escaping so the page shows the words, never markup. -->
<xsl:template name="unescape">
  <xsl:param name="text"/>
  <xsl:call-template name="replace">
    <xsl:with-param name="text">
      <xsl:call-template name="replace">
        <xsl:with-param name="text">
          <xsl:call-template name="replace">
            <xsl:with-param name="text" select="$text"/>
            <xsl:with-param name="from" select="'&amp;lt;'"/>
            <xsl:with-param name="to" select="'&lt;'"/>
          </xsl:call-template>
        </xsl:with-param>
        <xsl:with-param name="from" select="'&amp;gt;'"/>
        <xsl:with-param name="to" select="'&gt;'"/>
      </xsl:call-template>
    </xsl:with-param>
    <xsl:with-param name="from" select="'&amp;amp;'"/>
    <xsl:with-param name="to" select="'&amp;'"/>
  </xsl:call-template>
</xsl:template>

<xsl:template name="replace">
  <xsl:param name="text"/>
  <xsl:param name="from"/>
  <xsl:param name="to"/>
  <xsl:choose>
    <xsl:when test="contains($text, $from)">
      <xsl:value-of select="substring-before($text, $from)"/>
      <xsl:value-of select="$to"/>
      <xsl:call-template name="replace">
        <xsl:with-param name="text" select="substring-after($text, $from)"/>
        <xsl:with-param name="from" select="$from"/>
        <xsl:with-param name="to" select="$to"/>
      </xsl:call-template>
    </xsl:when>
    <xsl:otherwise><xsl:value-of select="$text"/></xsl:otherwise>
  </xsl:choose>
</xsl:template>

</xsl:stylesheet>
