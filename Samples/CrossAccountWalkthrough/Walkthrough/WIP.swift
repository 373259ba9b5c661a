public enum CrossAccountWalkthroughWIP {}
