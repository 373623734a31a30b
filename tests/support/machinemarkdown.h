#pragma once

#include <QByteArray>
#include <QString>
#include <QStringList>

namespace KyozoTest {

// The machine's own Markdown, the committed selection rule for tests that run on real files
// (the cmark differential test, the injection properties): every *.md / *.markdown
// (optionally gzipped) under /usr/share/doc, and every README*.md under the interop tests'
// node_modules after `npm ci`; sorted by path, no exclusions.
QStringList machineMarkdownFiles();
// Where those node_modules are; tests require it with KYOZO_REQUIRE.
QString interopNodeModules();
// A file's bytes, gunzipped when it ends in .gz; empty when it cannot be read.
QByteArray readDocument(const QString &path);

} // namespace KyozoTest
