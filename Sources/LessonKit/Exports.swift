// A lesson imports LessonKit alone and gets what it composes: the Runtime library and the
// argument parser its options are declared with.
@_exported import ArgumentParser
@_exported import Runtime
@_exported import SystemPackage
