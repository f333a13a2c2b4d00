/// Git's fsck message ids (`git help fsck-msgids`), each with the severity
/// Git gives it by default.
///
/// The raw value is Git's camel-case name, as `fsck.<msg-id>` config keys
/// and fsck's messages spell it. Banyan reports the ones that apply to what
/// it stores (objects and refs); the others (reftable and packed-refs file
/// checks of newer Git versions) are listed so that config naming them is
/// accepted.
public enum FsckMessageID: String, CaseIterable, Hashable, Sendable {
    /// Invalid date format in an author/committer line.
    case badDate
    /// Invalid date value in an author/committer line.
    case badDateOverflow
    /// Invalid email format in an author/committer line.
    case badEmail
    /// A tree contains a bad filemode entry.
    case badFilemode
    /// A tag contains a bad (truncated) signature (e.g., `gpgsig`) header.
    case badGpgsig
    /// The `HEAD` ref is a symref that does not refer to a branch.
    case badHeadTarget
    /// A continuation header (such as for `gpgsig`) is unexpectedly truncated.
    case badHeaderContinuation
    /// An author/committer name is empty.
    case badName
    /// An object has a bad sha1.
    case badObjectSha1
    /// The "packed-refs" file contains an invalid entry.
    case badPackedRefEntry
    /// The "packed-refs" file contains an invalid header.
    case badPackedRefHeader
    /// A commit object has a bad parent sha1.
    case badParentSha1
    /// A ref has bad content.
    case badRefContent
    /// A ref has a bad file type.
    case badRefFiletype
    /// A ref has an invalid format.
    case badRefName
    /// A ref points to an invalid object ID.
    case badRefOid
    /// The referent name of a symref is invalid.
    case badReferentName
    /// A reftable table has an invalid name.
    case badReftableTableName
    /// A tag has an invalid format.
    case badTagName
    /// Found an invalid time zone in an author/committer line.
    case badTimezone
    /// A tree cannot be parsed.
    case badTree
    /// A tree has an invalid format.
    case badTreeSha1
    /// Found an invalid object type.
    case badType
    /// A tree contains duplicate file entries.
    case duplicateEntries
    /// A path contains an empty name.
    case emptyName
    /// "packed-refs" file is empty. Report to the git@vger.kernel.org mailing list if you see this error. As only very early versions of Git would create such an empty "packed_refs" file, we might tighten this rule in the future.
    case emptyPackedRefsFile
    /// Extra headers found after `tagger`.
    case extraHeaderEntry
    /// A path contains the full path starting with "/".
    case fullPathname
    /// A non-blob found at `.gitattributes`.
    case gitattributesBlob
    /// The `.gitattributes` blob is too large.
    case gitattributesLarge
    /// The `.gitattributes` blob contains too long lines.
    case gitattributesLineLength
    /// Unable to read `.gitattributes` blob.
    case gitattributesMissing
    /// `.gitattributes` is a symlink.
    case gitattributesSymlink
    /// `.gitignore` is a symlink.
    case gitignoreSymlink
    /// A non-blob found at `.gitmodules`.
    case gitmodulesBlob
    /// The `.gitmodules` file is too large to parse.
    case gitmodulesLarge
    /// Unable to read `.gitmodules` blob.
    case gitmodulesMissing
    /// A submodule name is invalid.
    case gitmodulesName
    /// Could not parse `.gitmodules` blob.
    case gitmodulesParse
    /// `.gitmodules` path is invalid.
    case gitmodulesPath
    /// `.gitmodules` is a symlink.
    case gitmodulesSymlink
    /// Found an invalid submodule update setting.
    case gitmodulesUpdate
    /// Found an invalid submodule url.
    case gitmodulesUrl
    /// A tree contains an entry named `.`.
    case hasDot
    /// A tree contains an entry named `..`.
    case hasDotdot
    /// A tree contains an entry named `.git`.
    case hasDotgit
    /// A tree contains an entry with a very long path name. If the value of `fsck.largePathname` contains a colon, that value is used as the maximum allowable length (e.g., "warn:10" would complain about any path component of 11 or more bytes). The default value is 4096.
    case largePathname
    /// `.mailmap` is a symlink.
    case mailmapSymlink
    /// Author is missing.
    case missingAuthor
    /// Committer is missing.
    case missingCommitter
    /// Email is missing in an author/committer line.
    case missingEmail
    /// Missing name before an email in an author/committer line.
    case missingNameBeforeEmail
    /// Missing `object` line in tag object.
    case missingObject
    /// Missing space before date in an author/committer line.
    case missingSpaceBeforeDate
    /// Missing space before the email in an author/committer line.
    case missingSpaceBeforeEmail
    /// Unexpected end after `type` line in a tag object.
    case missingTag
    /// Missing `tag` line in a tag object.
    case missingTagEntry
    /// Missing `tagger` line in a tag object.
    case missingTaggerEntry
    /// Missing `tree` line in a commit object.
    case missingTree
    /// Invalid type value on the `type` line in a tag object.
    case missingType
    /// Missing `type` line in a tag object.
    case missingTypeEntry
    /// Multiple author lines found in a commit.
    case multipleAuthors
    /// Found a NUL byte in the commit object body.
    case nulInCommit
    /// NUL byte exists in the object header.
    case nulInHeader
    /// Tree contains entries pointing to a null sha1.
    case nullSha1
    /// The "packed-refs" file contains an entry that is not terminated by a newline.
    case packedRefEntryNotTerminated
    /// The "packed-refs" file is not sorted.
    case packedRefUnsorted
    /// A loose ref that does not end with newline(LF). As valid implementations of Git never created such a loose ref file, it may become an error in the future. Report to the git@vger.kernel.org mailing list if you see this error, as we need to know what tools created such a file.
    case refMissingNewline
    /// A symbolic link is used as a symref. Report to the git@vger.kernel.org mailing list if you see this error, as we are assessing the feasibility of dropping the support to drop creating symbolic links as symrefs.
    case symlinkRef
    /// The target of a symbolic reference points neither to a root reference nor to a reference starting with "refs/". Although we allow create a symref pointing to the referent which is outside the "ref" by using `git symbolic-ref`, we may tighten the rule in the future. Report to the git@vger.kernel.org mailing list if you see this error, as we need to know what tools created such a file.
    case symrefTargetIsNotARef
    /// A loose ref has trailing content. As valid implementations of Git never created such a loose ref file, it may become an error in the future. Report to the git@vger.kernel.org mailing list if you see this error, as we need to know what tools created such a file.
    case trailingRefContent
    /// A tree is not properly sorted.
    case treeNotSorted
    /// Found an unknown object type.
    case unknownType
    /// Missing end-of-line in the object header.
    case unterminatedHeader
    /// Found a zero padded date in an author/committer line.
    case zeroPaddedDate
    /// Found a zero padded filemode in a tree.
    case zeroPaddedFilemode

    /// The severity Git gives this message unless configured otherwise.
    public var defaultSeverity: FsckSeverity {
        switch self {
        case .nulInHeader, .unterminatedHeader: .fatal
        case .badReftableTableName, .emptyName, .fullPathname, .hasDot, .hasDotdot, .hasDotgit, .largePathname,
             .nulInCommit, .nullSha1, .zeroPaddedFilemode:
            .warn
        case .badFilemode, .badTagName, .emptyPackedRefsFile, .gitattributesSymlink, .gitignoreSymlink,
             .gitmodulesParse, .mailmapSymlink, .missingTaggerEntry, .refMissingNewline, .symlinkRef,
             .symrefTargetIsNotARef, .trailingRefContent:
            .info
        case .extraHeaderEntry: .ignore
        default: .error
        }
    }
}
