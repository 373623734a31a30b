#pragma once

#include <QHash>
#include <QString>

#include <optional>

namespace Kyozo::MarkdownLD {

// CURIE prefixes (W3C CURIE Syntax 1.0, "prefix:reference") as inline annotations (SPEC
// §2.2.4) and RDFa (§2.2.3) resolve them: the built-in ones below, plus what a document
// declares (front matter `prefixes:`, an RDFa `prefix` attribute), which may override them.
class CuriePrefixes
{
public:
    // schema, dc, dcterms, og, foaf, xsd, with their published namespace IRIs.
    static CuriePrefixes builtIn();

    void insert(const QString &prefix, const QString &iri) { m_iris.insert(prefix, iri); }
    std::optional<QString> iri(const QString &prefix) const;
    // The prefix whose namespace `iri` starts with (longest namespace wins), if any.
    std::optional<QString> prefixOf(const QString &iri) const;
    bool isEmpty() const { return m_iris.isEmpty(); }

    // What a value with a colon is: a CURIE ("schema:name"), or an absolute IRI
    // ("https://…", "urn:…", "mailto:…"), which is never looked up as a prefix.
    static bool isAbsoluteIri(const QString &value);
    // The prefix of a CURIE, or an empty string when `value` has none (a bare term or an IRI).
    static QString prefixOfCurie(const QString &value);

private:
    QHash<QString, QString> m_iris;
};

} // namespace Kyozo::MarkdownLD
