#include "curieprefixes.h"

namespace Kyozo::MarkdownLD {

CuriePrefixes CuriePrefixes::builtIn()
{
    // The namespaces as their vocabularies publish them; schema, dcterms, foaf, og and xsd as
    // the W3C RDFa Core Initial Context (https://www.w3.org/2011/rdfa-context/rdfa-1.1) lists
    // them. `dc` is DCMI's prefix for the Dublin Core elements (DCMI "Expressing Dublin Core
    // metadata using HTML/XHTML meta and link elements"), which the initial context calls dc11.
    CuriePrefixes p;
    p.insert(QStringLiteral("schema"), QStringLiteral("http://schema.org/"));
    p.insert(QStringLiteral("dc"), QStringLiteral("http://purl.org/dc/elements/1.1/"));
    p.insert(QStringLiteral("dcterms"), QStringLiteral("http://purl.org/dc/terms/"));
    p.insert(QStringLiteral("og"), QStringLiteral("http://ogp.me/ns#"));
    p.insert(QStringLiteral("foaf"), QStringLiteral("http://xmlns.com/foaf/0.1/"));
    p.insert(QStringLiteral("xsd"), QStringLiteral("http://www.w3.org/2001/XMLSchema#"));
    return p;
}

std::optional<QString> CuriePrefixes::iri(const QString &prefix) const
{
    const auto it = m_iris.constFind(prefix);
    if (it == m_iris.cend())
        return std::nullopt;
    return it.value();
}

std::optional<QString> CuriePrefixes::prefixOf(const QString &iri) const
{
    std::optional<QString> best;
    qsizetype bestLength = 0;
    for (auto it = m_iris.cbegin(); it != m_iris.cend(); ++it) {
        const QString &ns = it.value();
        // schema.org is served over https too; both spellings name the same terms.
        const bool matches = iri.startsWith(ns)
            || (ns.startsWith(QLatin1String("http://")) && iri.startsWith(QLatin1String("https://"))
                && QStringView(iri).sliced(8).startsWith(QStringView(ns).sliced(7)));
        if (matches && (ns.size() > bestLength || (ns.size() == bestLength && it.key() < *best))) {
            best = it.key();
            bestLength = ns.size();
        }
    }
    return best;
}

bool CuriePrefixes::isAbsoluteIri(const QString &value)
{
    const qsizetype colon = value.indexOf(QLatin1Char(':'));
    if (colon <= 0)
        return false;
    if (QStringView(value).sliced(colon + 1).startsWith(QLatin1String("//")))
        return true;
    // Schemes written without "//" (RFC 3986 URNs, RFC 6068 mailto, RFC 3966 tel).
    const QStringView scheme = QStringView(value).first(colon);
    return scheme == QLatin1String("urn") || scheme == QLatin1String("mailto")
        || scheme == QLatin1String("tel");
}

QString CuriePrefixes::prefixOfCurie(const QString &value)
{
    const qsizetype colon = value.indexOf(QLatin1Char(':'));
    if (colon <= 0 || isAbsoluteIri(value))
        return {};
    return value.first(colon);
}

} // namespace Kyozo::MarkdownLD
