#include "tokenstore.h"

#include <QCoreApplication>
#include <QDir>
#include <QEventLoop>
#include <QFile>
#include <QFileInfo>
#include <QRegularExpression>
#include <QLoggingCategory>
#include <QSaveFile>
#include <QStandardPaths>
#include <qt6keychain/keychain.h>

Q_LOGGING_CATEGORY(lcToken, "kyozo.token")

namespace Kyozo::App {

namespace {

const QString kService = QStringLiteral("kyozo");

// QtKeychain's jobs are asynchronous; the token is needed before anything can connect.
void runJob(QKeychain::Job *job)
{
    QEventLoop loop;
    QObject::connect(job, &QKeychain::Job::finished, &loop, &QEventLoop::quit);
    job->start();
    loop.exec();
}

} // namespace

TokenStore::TokenStore(QString account) : m_account(std::move(account)) { }

bool TokenStore::keychainDisabled() const
{
    // Tests and headless runs must not touch a real desktop keychain.
    return qEnvironmentVariableIsSet("KYOZO_NO_KEYCHAIN");
}

QString TokenStore::fallbackPath() const
{
    QString name = m_account;
    name.replace(QRegularExpression(QStringLiteral("[^A-Za-z0-9._-]")), QStringLiteral("_"));
    return QStandardPaths::writableLocation(QStandardPaths::AppConfigLocation) + QStringLiteral("/token-") + name;
}

std::optional<QString> TokenStore::read()
{
    if (!keychainDisabled()) {
        QKeychain::ReadPasswordJob job(kService);
        job.setAutoDelete(false);
        job.setKey(m_account);
        runJob(&job);
        if (job.error() == QKeychain::NoError)
            return job.textData();
        if (job.error() != QKeychain::EntryNotFound)
            qCInfo(lcToken) << "keychain read failed:" << job.error() << job.errorString();
    }
    QFile file(fallbackPath());
    if (file.open(QIODevice::ReadOnly)) {
        const QString token = QString::fromUtf8(file.readAll()).trimmed();
        if (!token.isEmpty())
            return token;
    }
    return std::nullopt;
}

bool TokenStore::write(const QString &token)
{
    QString why = QCoreApplication::translate("Kyozo::App::TokenStore", "turned off by KYOZO_NO_KEYCHAIN");
    if (!keychainDisabled()) {
        QKeychain::WritePasswordJob job(kService);
        job.setAutoDelete(false);
        job.setKey(m_account);
        job.setTextData(token);
        runJob(&job);
        if (job.error() == QKeychain::NoError) {
            QFile::remove(fallbackPath()); // one copy, in the safer place
            return true;
        }
        why = job.errorString();
    }
    QDir().mkpath(QFileInfo(fallbackPath()).absolutePath());
    QSaveFile file(fallbackPath());
    if (!file.open(QIODevice::WriteOnly))
        return false;
    file.setPermissions(QFileDevice::ReadOwner | QFileDevice::WriteOwner);
    file.write(token.toUtf8());
    if (!file.commit())
        return false;
    m_notice = QCoreApplication::translate("Kyozo::App::TokenStore",
                                           "The desktop keychain is not available (%1); the token is kept in %2, "
                                           "readable only by you.")
                       .arg(why, QDir::toNativeSeparators(fallbackPath()));
    return true;
}

} // namespace Kyozo::App
