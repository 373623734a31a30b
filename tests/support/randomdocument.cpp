#include "randomdocument.h"

#include <QList>

namespace KyozoTest {

QByteArray randomDocument(QRandomGenerator &random, int blocks)
{
    static const QList<QByteArray> pieces = {
        "# Heading \xC3\xA9t\xC3\xA9\n",
        "Paragraph with \xE6\x97\xA5\xE6\x9C\xAC\xE8\xAA\x9E and \xF0\x9F\x98\x80 emoji.\nSecond line.\n",
        "Setext\n======\n",
        "Under\n---\n",
        "```json-ld\n{\"@type\": \"Thing\", \"name\": \"\xC3\xA9\"}\n```\n",
        "~~~~ jsonld\n[{\"@type\": \"A\"}, {\"@type\": \"B\"}]\n~~~~\n",
        "````ld+json\n{\"@graph\": [{\"@id\": \"#x\"}]}\n```\n````\n",
        "```json-ld\n{\"broken\": }\n```\n",
        "```python\nprint('\xE2\x9C\x93')\n",
        "- item one\n- item two\n\n  ```json-ld\n  {\"@type\": \"ListItem\"}\n  ```\n",
        "1. first\n2) second\n",
        "> quoted\nlazy line\n> ```json-ld\n> {\"@type\": \"Q\"}\n> ```\n",
        "<script type=\"application/ld+json\">\n{\"@type\": \"Event\"}\n</script>\n",
        "<!-- comment\n<meta property=\"og:title\" content=\"no\">\n-->\n",
        "<div itemscope itemtype=\"https://schema.org/Person\">\n<span itemprop=\"name\">X</span>\n</div>\n",
        "<meta name=\"DC.title\" content=\"T\">\n<meta property=\"og:title\" content=\"O\">\n",
        "| a | b |\n|---|:-:|\n| 1 | 2 |\n",
        "\t```json-ld\n\tnot a fence\n",
        "    indented code\n",
        "***\n",
        "[ref]: https://example.org \"T\"\n",
        // Issue 16: inline annotations, attribute lists, RDFa.
        "Written by [Ada \xC3\xA9]{typeof=schema:Person property=schema:author}, `[no]{a=b}`.\n",
        "## Steps {#steps typeof=schema:HowTo}\n",
        "See [the steps](#steps){property=schema:step} and [x]{property=zz:y\n",
        "<div vocab=\"https://schema.org/\" typeof=\"Person\" resource=\"#steps\">\n<span property=\"name\">R</span>\n</div>\n",
        "\n",
        "\n\n",
    };
    QByteArray doc;
    if (random.bounded(4) == 0)
        doc += "\xEF\xBB\xBF";
    if (random.bounded(3) == 0)
        doc += random.bounded(2) ? "---\ntitle: T\nog:title: O\n---\n" : "+++\ntitle = \"T\"\n+++\n";
    for (int i = 0; i < blocks; ++i) {
        doc += pieces[random.bounded(qsizetype(pieces.size()))];
        if (random.bounded(3) == 0)
            doc += '\n';
    }
    if (random.bounded(2) == 0)
        doc.replace("\n", "\r\n");
    if (random.bounded(3) == 0)
        doc.chop(1); // no final newline (or a lone CR left at the end)
    return doc;
}

} // namespace KyozoTest
