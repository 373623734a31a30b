#pragma once

#include <QByteArray>
#include <QList>
#include <QString>
#include <QStringList>

namespace KyozoTest {
// The source tree (committed test data) and build tree (executables under test).
QString sourcePath(const QString &relative);
QString binaryPath(const QString &executable);
// Every committed Markdown-LD document (tests/data/markdownld, the parser's cases, and
// tests/data/semantics-corpus, the implicit rules' labelled corpus), in name order; their
// file names go to `names`.
QList<QByteArray> committedDocuments(QStringList *names);
// The app's settings, bundled database and token below `home` (XDG config and data dirs), no
// desktop keychain, the user "ada", and the app's own organisation and application names, so
// that QSettings and QStandardPaths find what the real app would.
void useOwnAppHome(const QString &home);
} // namespace KyozoTest
