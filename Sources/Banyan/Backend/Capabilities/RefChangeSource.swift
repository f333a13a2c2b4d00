/// A ref store that says when its refs move: it posts to ``refChanges``
/// after every compare-and-swap, delete or symbolic update it makes, so
/// every ref change reaches watchers through one door whichever code made
/// it. A store shared with other processes also posts their changes once it
/// sees them (the filesystem backend through inotify).
///
/// ``Repository/refChanges`` is its store's notifier; a repository over a
/// ref store without this capability has a notifier of its own that nothing
/// posts to, and its watches poll.
public protocol RefChangeSource: RefStore {
    /// Where this store posts its ref changes.
    var refChanges: RefChangeNotifier { get }
}
